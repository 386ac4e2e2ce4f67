import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { readStates } from "../shared/state-reader";
import { MINUTE_MS, minuteShardKey, minuteText } from "./keys";
import type { MinuteCounts } from "./minute-counts";

/** The most minutes one read returns: the 48 hours the counts are kept. */
export const MAX_MINUTES = 2880;
const KEYS_PER_BATCH_GET = 100;
const PARALLEL_READS = 8;

/** The shop's orders in one event-time minute, summed over every partition's shard. */
export interface OrdersPerMinute {
  readonly minute: string;
  readonly placed: number;
  readonly cancelled: number;
  /** ORDER_PLACED amounts per currency, minor units. */
  readonly revenue: Readonly<Record<string, number>>;
}

export interface ReadOrdersPerMinuteOptions {
  /** The orders consumer's state table. */
  readonly tableName: string;
  /** The last minute returned is minute(now), still filling. */
  readonly now: Date;
  /**
   * How many minutes, 1 … 2880.
   * @default 60
   */
  readonly minutes?: number;
  /** Partitions of `theworldshop.orders` (ORDERS_PARTITIONS): shards p0 … p(partitions − 1) are summed. */
  readonly partitions: number;
  /**
   * Strongly consistent reads; eventually consistent ones cost half and lag by well under a second.
   * @default false
   */
  readonly consistentRead?: boolean;
  /** @default a client for the environment's region and endpoint */
  readonly dynamodb?: DynamoDBDocumentClient;
}

/** Thrown when the read is asked for minutes or partitions out of range. */
export class OrdersPerMinuteReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OrdersPerMinuteReadError";
  }
}

// One attempt per call: the state reader retries (the engine's withRetry), so retries do not stack.
const defaultClient = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 1 }));

/** Orders per minute for minute(now) − (minutes − 1) … minute(now), oldest first; a minute without orders is zeros. */
export async function readOrdersPerMinute(options: ReadOrdersPerMinuteOptions): Promise<OrdersPerMinute[]> {
  const { tableName, now, minutes = 60, partitions, consistentRead = false } = options;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES)
    throw new OrdersPerMinuteReadError(`minutes must be an integer from 1 to ${MAX_MINUTES}, got ${minutes}`);
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new OrdersPerMinuteReadError(`partitions must be a positive integer, got ${partitions}`);
  const current = now.getTime() - (now.getTime() % MINUTE_MS);
  const totals = new Map<string, { placed: number; cancelled: number; revenue: Record<string, number> }>();
  const keys: string[] = [];
  for (let index = minutes - 1; index >= 0; index -= 1) {
    const minute = current - index * MINUTE_MS;
    totals.set(minuteText(minute), { placed: 0, cancelled: 0, revenue: {} });
    for (let partition = 0; partition < partitions; partition += 1)
      keys.push(minuteShardKey(minute, partition));
  }
  // 48 hours of 12 partitions are 34,560 keys: read them in parallel slices, not one BatchGetItem after another.
  const sliceSize = Math.ceil(keys.length / PARALLEL_READS / KEYS_PER_BATCH_GET) * KEYS_PER_BATCH_GET;
  const slices: string[][] = [];
  for (let start = 0; start < keys.length; start += sliceSize)
    slices.push(keys.slice(start, start + sliceSize));
  const dynamodb = options.dynamodb ?? defaultClient;
  const shards = await Promise.all(
    slices.map((slice) => readStates<MinuteCounts>(dynamodb, tableName, slice, { consistentRead })),
  );
  for (const shard of shards.flatMap((states) => [...states.values()])) {
    const total = totals.get(shard.minute);
    if (!total) continue;
    total.placed += shard.placed;
    total.cancelled += shard.cancelled;
    for (const [currency, value] of Object.entries(shard.revenue))
      total.revenue[currency] = (total.revenue[currency] ?? 0) + value;
  }
  return [...totals].map(([minute, total]) => ({ minute, ...total }));
}
