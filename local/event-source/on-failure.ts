import { randomUUID } from "node:crypto";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { LocalStackResources } from "../resources";
import type { LogRecord } from "./log";
import { MappingDefinitionError } from "./mappings";

export const FAILURE_CONDITIONS = {
  retryAttemptsExhausted: "RetryAttemptsExhausted",
} as const;

export interface FailedBatch {
  readonly functionArn: string;
  readonly records: readonly LogRecord[];
  /** Invocations made with these records. */
  readonly invokeCount: number;
  /** Whether the last invocation failed with an error (rather than reporting item failures). */
  readonly functionError: boolean;
  readonly eventSourceArn?: string;
  readonly bootstrapServers: string;
  readonly payloadSize: number;
  readonly at: Date;
}

/**
 * The invocation record Lambda sends to an SQS or SNS on-failure destination for a Kafka batch it gave up on
 * (the shape of "Capturing discarded batches for Amazon MSK and self-managed Apache Kafka event sources").
 */
export function kafkaFailureRecord(batch: FailedBatch): Record<string, unknown> {
  const recordsInfo: Record<string, Record<string, string>> = {};
  for (const record of batch.records) {
    const key = `${record.topic}-${record.partition}`;
    const timestamp = new Date(record.timestamp).toISOString();
    const info = recordsInfo[key];
    if (!info) {
      recordsInfo[key] = {
        firstRecordOffset: String(record.offset),
        lastRecordOffset: String(record.offset),
        firstRecordTimestamp: timestamp,
        lastRecordTimestamp: timestamp,
      };
    } else {
      info.lastRecordOffset = String(record.offset);
      info.lastRecordTimestamp = timestamp;
    }
  }
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: FAILURE_CONDITIONS.retryAttemptsExhausted,
      approximateInvokeCount: batch.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: "$LATEST",
      ...(batch.functionError ? { functionError: "Unhandled" } : {}),
    },
    version: "1.0",
    timestamp: batch.at.toISOString(),
    KafkaBatchInfo: {
      batchSize: batch.records.length,
      ...(batch.eventSourceArn ? { eventSourceArn: batch.eventSourceArn } : {}),
      bootstrapServers: batch.bootstrapServers,
      payloadSize: batch.payloadSize,
      recordsInfo,
    },
  };
}

/** Sends failure records to an on-failure destination ARN: a queue or a topic of the local stack. */
export function failureDestination(
  arn: string,
  resources: LocalStackResources,
  clients: { sqs: SQSClient; sns: SNSClient },
): (record: Record<string, unknown>) => Promise<void> {
  const resource = [...resources.byLogicalId.values()].find(
    (candidate) => candidate.attributes.Arn === arn || candidate.ref === arn,
  );
  if (resource?.type === "AWS::SQS::Queue") {
    return async (record) => {
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: resource.ref, MessageBody: JSON.stringify(record) }),
      );
    };
  }
  if (resource?.type === "AWS::SNS::Topic") {
    return async (record) => {
      await clients.sns.send(new PublishCommand({ TopicArn: resource.ref, Message: JSON.stringify(record) }));
    };
  }
  throw new MappingDefinitionError(
    `on-failure destination ${arn} is not a queue or topic of the local stack`,
  );
}
