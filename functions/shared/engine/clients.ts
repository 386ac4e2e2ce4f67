import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** The AWS clients the engine uses; injectable so tests and the local runtime can add middleware. */
export interface EngineClients {
  readonly dynamodb: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

let shared: EngineClients | undefined;

/** The clients every handler of this process shares, created once (endpoints from AWS_ENDPOINT_URL_*). */
export function defaultEngineClients(): EngineClients {
  shared ??= {
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    }),
    sns: new SNSClient({}),
    sqs: new SQSClient({}),
  };
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
});
