/** The local Lambda runtime's errors. */
export class LocalLambdaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LocalLambdaError";
  }
}

/** The handler process died (an injected crash, or the event source mapping was killed mid-batch). */
export class HandlerCrashError extends LocalLambdaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HandlerCrashError";
  }
}

/** The invocation ran past the function's timeout. */
export class InvocationTimeoutError extends LocalLambdaError {
  constructor(functionName: string, timeoutSeconds: number) {
    super(`${functionName}: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = "InvocationTimeoutError";
  }
}
