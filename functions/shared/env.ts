/** Thrown at cold start when the function's environment lacks a setting the stack should have set. */
export class MissingEnvironmentError extends Error {
  constructor(name: string) {
    super(`environment variable ${name} is not set; the stack sets it on the function`);
    this.name = "MissingEnvironmentError";
  }
}

/** The value of a required environment variable; read once at module load. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === "") throw new MissingEnvironmentError(name);
  return value;
}
