/** Reads a required environment variable once, failing with a message that names it. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new Error(`environment variable ${name} is not set; the stack sets it on the function`);
  }
  return value;
}

/** Parses an optional JSON environment variable, failing with its name when it is not valid JSON. */
export function jsonEnv<T>(name: string, fallback: T, env: NodeJS.ProcessEnv = process.env): T {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  try {
    return JSON.parse(value) as T;
  } catch (error) {
    throw new Error(`environment variable ${name} is not valid JSON`, { cause: error });
  }
}

/** Reads an optional whole-number environment variable ≥ 1, failing with its name when it is anything else. */
export function positiveIntegerEnv(
  name: string,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new Error(`environment variable ${name} must be a whole number of at least 1, got "${value}"`);
  }
  return number;
}
