/** The engine's error family: every error it raises itself is one of these, with the cause attached. */
export class EngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineError";
  }
}

/** A key's conditional write kept losing races to other invocations past the bound. */
export class KeyContentionError extends EngineError {
  constructor(
    readonly key: string,
    attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`state key ${key} lost ${attempts} conditional-write races in a row`, options);
    this.name = "KeyContentionError";
  }
}

/** DynamoDB refused even the write that only advances a key's fences: the key's item cannot grow at all. */
export class StateItemRefusedError extends EngineError {
  constructor(
    readonly key: string,
    refusal: string,
    options?: { cause?: unknown },
  ) {
    super(`DynamoDB refused to advance the fences of state key ${key}: ${refusal}`, options);
    this.name = "StateItemRefusedError";
  }
}

/** The invocation's time budget ran out: a transient AWS error (the cause) kept recurring, or no time was left to start. */
export class TimeBudgetExceededError extends EngineError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(
      options?.cause === undefined
        ? `${what}: the invocation's time budget ran out`
        : `${what}: transient errors persisted until the invocation's time budget ran out`,
      options,
    );
    this.name = "TimeBudgetExceededError";
  }
}

/** BatchGetItem left keys unprocessed (DynamoDB's throttling in a 200 response): retried like throttling. */
export class UnprocessedKeysError extends EngineError {
  constructor(count: number) {
    super(`BatchGetItem left ${count} keys unprocessed`);
    this.name = "UnprocessedKeysError";
  }
}

/** SendMessageBatch failed some entries for SQS's own reasons (not their contents): resent like throttling. */
export class UnsentMessagesError extends EngineError {
  constructor(count: number) {
    super(`SendMessageBatch failed ${count} messages on the service's side`);
    this.name = "UnsentMessagesError";
  }
}

/** The environment lacks a setting the handler needs. */
export class EngineConfigError extends EngineError {
  constructor(message: string) {
    super(message);
    this.name = "EngineConfigError";
  }
}

const TRANSIENT_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestThrottled",
  "KmsThrottled",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "InternalServerError",
  "InternalServerErrorException",
  "InternalError",
  "InternalErrorException",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TransactionConflictException",
  "KMSThrottlingException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);
/** CancellationReasons of a TransactWriteItems that a later attempt may not meet. */
const TRANSIENT_REASONS = new Set([
  "TransactionConflict",
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"]);

/** Throttling, 5xx and connection errors: worth retrying. Anything else is re-thrown unchanged. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof UnprocessedKeysError || error instanceof UnsentMessagesError) return true;
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (TRANSIENT_NAMES.has(e.name) || (e.code !== undefined && TRANSIENT_CODES.has(e.code))) return true;
  // The SDK marks the errors its own retry strategy would retry; names alone miss some (SQS's RequestThrottled).
  if (e.$retryable !== undefined && e.$metadata !== undefined) return true;
  if (e.name === "TransactionCanceledException") {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    // A provisioned table (or warm throughput run out) names ProvisionedThroughputExceeded, on-demand ThrottlingError.
    return reasons.some((r) => r.Code !== undefined && TRANSIENT_REASONS.has(r.Code));
  }
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * Why DynamoDB refused a write for what it holds (item too large, a key or attribute out of bounds), or
 * undefined for any other error. Such a refusal repeats on every delivery: permanent for the records written.
 */
export function dynamoDbRefusal(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === "ValidationException" || error.name === "ItemCollectionSizeLimitExceededException")
    return error.message;
  if (error.name === "TransactionCanceledException") {
    const reasons = (error as { CancellationReasons?: { Code?: string; Message?: string }[] })
      .CancellationReasons;
    const refused = reasons?.find(
      (r) => r.Code === "ValidationError" || r.Code === "ItemCollectionSizeLimitExceeded",
    );
    if (refused) return refused.Message ?? refused.Code;
  }
  return undefined;
}

/** A write refused on a condition: ConditionalCheckFailed, or a transaction cancelled for one. */
export function isConditionFailure(error: unknown): boolean {
  const name = (error as Error)?.name;
  if (name === "ConditionalCheckFailedException") return true;
  if (name !== "TransactionCanceledException") return false;
  // The key's own item or a shared key's (side records carry no condition).
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === "ConditionalCheckFailed");
}
