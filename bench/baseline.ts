import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import type { DeliveredRecord } from "../functions/shared/engine/decode";
import { alertEntry } from "../functions/shared/engine/outbox";
import { DEFAULT_MAX_EVENT_TIME_AHEAD_MS } from "../functions/shared/engine/plausible";
import type { Consumer } from "../functions/shared/engine/types";
import { validateRecord } from "../functions/shared/engine/validate";

export interface BaselineTables {
  readonly stateTable: string;
  readonly idempotencyTable: string;
  readonly sideTables: Readonly<Record<string, string>>;
  readonly alertTopicArn: string;
}

/**
 * The way most teams make a Kafka consumer idempotent: Powertools idempotency per record (key
 * `topic-partition-offset`), then a per-record read-modify-write of the state and a publish per alert.
 */
export function createBaselineProcessor<V, S, C>(
  consumer: Consumer<V, S, C>,
  config: C,
  tables: BaselineTables,
  clients: { dynamodbClient: DynamoDBClient; dynamodb: DynamoDBDocumentClient; sns: SNSClient },
) {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: tables.idempotencyTable,
    awsSdkV3Client: clients.dynamodbClient,
  });
  const idempotency = new IdempotencyConfig({
    eventKeyJmesPath: "idempotencyKey",
    expiresAfterSeconds: 3600,
  });
  // Powertools sizes its in-progress window from the invocation's remaining time.
  idempotency.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Context);
  const applyRecord = makeIdempotent(
    async (delivered: DeliveredRecord & { idempotencyKey: string }) => {
      const validation = validateRecord(consumer as Consumer<V, unknown, unknown>, delivered, {
        maxEventTimeAheadMs: DEFAULT_MAX_EVENT_TIME_AHEAD_MS,
      });
      if (!validation.ok) return { rejected: true };
      for (const key of consumer.stateKeys(validation.record, config)) {
        const { Item } = await clients.dynamodb.send(
          new GetCommand({ TableName: tables.stateTable, Key: { pk: key }, ConsistentRead: true }),
        );
        const reduction = consumer.reduce(key, Item?.state as S | undefined, validation.record, config);
        await clients.dynamodb.send(
          new PutCommand({
            TableName: tables.stateTable,
            Item: { pk: key, version: (Item?.version ?? 0) + 1, state: reduction.state },
          }),
        );
        for (const record of reduction.records ?? []) {
          await clients.dynamodb.send(
            new PutCommand({ TableName: tables.sideTables[record.table], Item: record.item }),
          );
        }
        for (const alert of reduction.alerts ?? []) {
          const { Id: _id, ...entry } = alertEntry(alert, "a0");
          await clients.sns.send(new PublishCommand({ TopicArn: tables.alertTopicArn, ...entry }));
        }
      }
      return { rejected: false };
    },
    { persistenceStore, config: idempotency },
  );
  return async (records: readonly DeliveredRecord[]) => {
    for (const record of records) {
      await applyRecord({
        ...record,
        idempotencyKey: `${record.topic}-${record.partition}-${record.offset}`,
      });
    }
  };
}
