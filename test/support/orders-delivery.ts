import type { Context } from "aws-lambda";
import type { OrderEvent } from "../../functions/orders/schema";
import type { KafkaBatchResponse } from "../../functions/shared/engine/handler";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { ORDERS_TOPIC } from "./orders";

export const lambdaContext = { getRemainingTimeInMillis: () => 60_000 } as Context;

/** The longest invocation Lambda allows (15 minutes), for tests whose subject is not the time budget. */
export const longestLambdaContext = { getRemainingTimeInMillis: () => 900_000 } as Context;

export type KafkaHandler = (
  event: ReturnType<typeof buildKafkaEvent>,
  context: Context,
) => Promise<KafkaBatchResponse>;

/** Kafka records for events placed on partitions, with offsets counting up per partition from 0. */
export function orderRecords(placed: readonly { event: OrderEvent; partition: number }[]): RawKafkaRecord[] {
  const next = new Map<number, number>();
  return placed.map(({ event, partition }) => {
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    return {
      topic: ORDERS_TOPIC,
      partition,
      offset,
      key: event.orderId,
      value: JSON.stringify(event),
      timestamp: Date.parse(event.eventTime),
    };
  });
}

/** The records of each partition, in offset order. */
export function byPartition(records: readonly RawKafkaRecord[]): Map<number, RawKafkaRecord[]> {
  const partitions = new Map<number, RawKafkaRecord[]>();
  for (const record of [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset))
    partitions.set(record.partition, [...(partitions.get(record.partition) ?? []), record]);
  return partitions;
}

/**
 * Delivers one partition's records in batches the way the event source mapping does: the next batch starts
 * after the last one, at the first offset a batch reported as failed, or again at the same offset when the
 * invocation failed. Returns the number of invocations.
 */
export async function deliverPartition(
  handler: KafkaHandler,
  records: readonly RawKafkaRecord[],
  batchSize: number,
  maxInvocations = 1_000,
  context: Context = lambdaContext,
): Promise<number> {
  let cursor = 0;
  let invocations = 0;
  while (cursor < records.length) {
    if (++invocations > maxInvocations)
      throw new Error(`partition not done after ${maxInvocations} invocations`);
    const batch = records.slice(cursor, cursor + batchSize);
    const response = await handler(buildKafkaEvent(batch), context).catch(() => undefined);
    if (!response) continue;
    const { batchItemFailures } = response;
    const failed = batchItemFailures.map((failure) => failure.itemIdentifier.offset);
    cursor =
      failed.length > 0 ? records.findIndex((r) => r.offset === Math.min(...failed)) : cursor + batch.length;
  }
  return invocations;
}
