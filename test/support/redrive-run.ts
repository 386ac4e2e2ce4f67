import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { expect } from "vitest";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { drainQueue, subscribeInbox } from "./alert-inbox";
import { type consumerHandler, functionEnv, postRejected } from "./redrive";
import { createTestStack } from "./stack";

// The runs the redrive tests compare: a stack per run, its records delivered, its state and alerts read back.
const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** The orders' minute counter shards of the table, by key. */
export const minutes = async (tableName: string) =>
  Object.fromEntries(Object.entries(await states(tableName)).filter(([pk]) => pk.startsWith("minute#")));

/** Every item of the table, by key. */
export async function items(tableName: string) {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Object.fromEntries(Items.map((item) => [String(item.pk), item]));
}
/** Every state of the table, by key. */
export const states = async (tableName: string) =>
  Object.fromEntries(Object.entries(await items(tableName)).map(([pk, item]) => [pk, item.state]));

/** A stack and the consumer's handler on it (the env of the template's function), with an alert inbox. */
export async function consumerStack(name: string, entry: string) {
  const resources = await createTestStack(name);
  const env = functionEnv(resources, entry);
  const inbox = await subscribeInbox(env.ALERT_TOPIC_ARN!);
  return { resources, env, inbox };
}

/** Delivers `records` in one Kafka event; every one applied or rejected, none failed. */
export async function deliver(
  handler: ReturnType<typeof consumerHandler>,
  records: readonly RawKafkaRecord[],
) {
  expect(await handler(buildKafkaEvent(records), context)).toEqual({ batchItemFailures: [] });
}

/** What a run that rejected `records` left: their messages as the engine writes them (format 2), `copies` times. */
export async function rejectedAsFormat2(
  queueUrl: string,
  consumer: string,
  records: readonly RawKafkaRecord[],
  copies = 1,
) {
  const written = await drainQueue<{ offset: number; reason: string }>(queueUrl);
  const reasonOf = new Map(written.map((message) => [message.offset, message.reason]));
  for (let copy = 0; copy < copies; copy++)
    for (const record of records)
      await postRejected(queueUrl, consumer, record, reasonOf.get(record.offset)!);
}

/** The distinct alert ids the inbox received since it was last drained, sorted. */
export const alertIds = async (inbox: { drain: () => Promise<Record<string, unknown>[]> }) =>
  [...new Set((await inbox.drain()).map((alert) => String(alert.alertId)))].sort();
