import type * as z from "zod";

/** Thrown when a function's environment lacks a variable the stack sets, or holds an invalid one. */
export class FunctionEnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FunctionEnvironmentError";
  }
}

/** Reads a required environment variable once, failing with a message that names it. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new FunctionEnvironmentError(
      `environment variable ${name} is not set; the stack sets it on the function`,
    );
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
    throw new FunctionEnvironmentError(`environment variable ${name} is not valid JSON`, { cause: error });
  }
}

/**
 * Reads an optional whole-number environment variable from 1 to `max`, failing with its name when it is anything
 * else.
 */
export function positiveIntegerEnv(
  name: string,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new FunctionEnvironmentError(
      `environment variable ${name} must be a whole number of at least 1, got "${value}"`,
    );
  }
  if (number > max)
    throw new FunctionEnvironmentError(`environment variable ${name} must be at most ${max}, got "${value}"`);
  return number;
}

/**
 * Reads the settings the stack writes as one environment variable each (`variables`: setting → name; values
 * JSON, so `3`, `0.2` and `{ … }` alike), validated by `schema`. A missing or invalid variable fails naming it,
 * so a setting that does not reach its function fails the cold start instead of running a default.
 */
export function settingsFromEnv<Schema extends z.ZodObject>(
  schema: Schema,
  variables: { readonly [K in keyof z.input<Schema>]-?: string },
  env: NodeJS.ProcessEnv = process.env,
): z.output<Schema> {
  const raw: Record<string, unknown> = {};
  for (const [setting, name] of Object.entries(variables) as [string, string][])
    raw[setting] = jsonEnv(name, undefined, { [name]: requiredEnv(name, env) });
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const [setting, ...rest] = issue.path.map(String);
    return `${[variables[setting as keyof typeof variables] ?? setting, ...rest].join(".")}: ${issue.message}`;
  });
  throw new FunctionEnvironmentError(`invalid settings in the environment: ${problems.join("; ")}`, {
    cause: parsed.error,
  });
}

/** The environment a function gets for `settings`: each setting's JSON under its variable's name. */
export function settingsEnvironment<Settings extends object>(
  settings: Settings,
  variables: { readonly [K in keyof Settings]-?: string },
): Record<string, string> {
  return Object.fromEntries(
    (Object.entries(variables) as [keyof Settings, string][]).map(([setting, name]) => [
      name,
      JSON.stringify(settings[setting]),
    ]),
  );
}

/** Reads an optional environment variable once: its value, or `fallback` when it is unset or empty. */
export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}
