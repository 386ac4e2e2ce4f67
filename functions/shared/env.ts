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

/** Reads an optional environment variable once: its value, or `fallback` when it is unset or empty. */
export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}
