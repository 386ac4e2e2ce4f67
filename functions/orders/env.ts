/** Thrown at module load when the function's environment lacks a variable the CDK always sets. */
export class MissingEnvironmentError extends Error {
  constructor(name: string) {
    super(`environment variable ${name} is not set; the stack sets it on the function`);
    this.name = "MissingEnvironmentError";
  }
}

/** The variable's value, or a clear error when it is unset or empty. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === "") throw new MissingEnvironmentError(name);
  return value;
}
