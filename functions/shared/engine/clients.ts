import type { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { SNSClient, type SNSClientConfig } from "@aws-sdk/client-sns";
import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tracer as processTracer, traced } from "../tracing";

/** The AWS clients the engine uses; injectable so tests and the local runtime can add middleware. */
export interface EngineClients {
  readonly dynamodb: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

/** Client settings for `createEngineClients`, per service. */
export interface EngineClientsConfig {
  readonly dynamodb?: DynamoDBClientConfig;
  readonly sns?: SNSClientConfig;
  readonly sqs?: SQSClientConfig;
}

let shared: EngineClients | undefined;

/**
 * One attempt per call: `withRetry` (retry.ts) is the engine's only retry layer, bounded by the invocation's
 * deadline, so the SDK's default 3 attempts never stack under it.
 */
const SINGLE_ATTEMPT = { maxAttempts: 1 } as const;

/**
 * New clients with the marshalling the engine relies on (undefined values dropped), for tests and the local
 * runtime that add middleware or settings of their own. Each is captured by `tracer`, so its calls show on the
 * function's X-Ray trace when tracing is on.
 */
export function createEngineClients(
  config: EngineClientsConfig = {},
  tracer: Tracer = processTracer,
): EngineClients {
  return {
    dynamodb: DynamoDBDocumentClient.from(
      traced(new DynamoDBClient({ ...SINGLE_ATTEMPT, ...config.dynamodb }), tracer),
      { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } },
    ),
    sns: traced(new SNSClient({ ...SINGLE_ATTEMPT, ...config.sns }), tracer),
    sqs: traced(new SQSClient({ ...SINGLE_ATTEMPT, ...config.sqs }), tracer),
  };
}

/** The clients every handler of this process shares, created once (endpoints from AWS_ENDPOINT_URL_*). */
export function defaultEngineClients(): EngineClients {
  shared ??= createEngineClients();
  return shared;
}

/** Per-batch counts: what the engine did, for metrics, tests and benchmarks. */
export interface EngineStats {
  records: number;
  rejected: number;
  duplicatesSkipped: number;
  keys: number;
  reads: number;
  writes: number;
  conflicts: number;
  retries: number;
  alertsPublished: number;
  snsPublishCalls: number;
  /** Alerts SNS refused; they stay pending in the outbox. */
  publishFailures: number;
  /** Published alerts whose removal from the outbox failed; they will be published again, same alertId. */
  acknowledgeFailures: number;
}

export const emptyStats = (): EngineStats => ({
  records: 0,
  rejected: 0,
  duplicatesSkipped: 0,
  keys: 0,
  reads: 0,
  writes: 0,
  conflicts: 0,
  retries: 0,
  alertsPublished: 0,
  snsPublishCalls: 0,
  publishFailures: 0,
  acknowledgeFailures: 0,
});
