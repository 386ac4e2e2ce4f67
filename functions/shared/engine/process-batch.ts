import type { EngineClients, EngineStats } from "./clients";
import { emptyStats } from "./clients";
import { type DeliveredRecord, partitionName } from "./decode";
import { KeyContentionError, TimeBudgetExceededError } from "./errors";
import { foldKey } from "./fold";
import { publishOutboxes } from "./outbox";
import { sendRejected } from "./rejected";
import type { StateItem } from "./state-item";
import { readItem, readItems, type StoreContext, writeItem } from "./state-store";
import type { Consumer, ConsumerRecord, EngineOptions, RejectedRecord } from "./types";
import { validateRecord } from "./validate";

/** A partial batch failure as the Kafka event source mapping reads it. */
export interface KafkaBatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number };
}

export interface BatchOutcome {
  readonly stats: EngineStats;
  /** Per partition, the first offset not fully applied; the event source mapping redelivers from there. */
  readonly batchItemFailures: KafkaBatchItemFailure[];
  readonly rejected: readonly RejectedRecord[];
  /** Why keys failed, for the log. */
  readonly keyErrors: readonly { key: string; error: unknown }[];
}

export interface BatchContext {
  readonly clients: EngineClients;
  /** Epoch ms by which the batch must be done (the invocation's remaining time less a margin). */
  readonly deadline: number;
}

const MAX_WRITE_ATTEMPTS = 8;
const KEY_CONCURRENCY = 16;

/**
 * The exactly-once engine for one batch: validate, group by state key, read, fold past the fences,
 * one conditional write per key, publish the outboxes. Every record takes effect once however often
 * the batch, or any part of it, is delivered again.
 */
export async function processBatch<V, S, C>(
  consumer: Consumer<V, S, C>,
  options: EngineOptions<C>,
  delivered: readonly DeliveredRecord[],
  { clients, deadline }: BatchContext,
): Promise<BatchOutcome> {
  const stats = emptyStats();
  stats.records = delivered.length;
  const ctx: StoreContext = {
    clients,
    tableName: options.tableName,
    sideTables: options.sideTables ?? {},
    budget: { deadline, onRetry: () => stats.retries++ },
    stats,
  };
  // Keys too: a producer may key a record by the very card number the screen rejects.
  const mask = (raw: string | null) => (raw === null ? null : (consumer.screen?.mask(raw) ?? raw));
  const rejected: RejectedRecord[] = [];
  const reject = (record: DeliveredRecord | ConsumerRecord<unknown>, reason: string, raw: string | null) =>
    rejected.push({
      consumer: consumer.name,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: mask(record.key),
      reason,
      value: mask(raw),
    });

  const byKey = new Map<string, ConsumerRecord<V>[]>();
  const rawOf = new Map<ConsumerRecord<V>, string | null>();
  const inOrder = [...delivered].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
  for (const record of inOrder) {
    const validation = validateRecord(consumer as Consumer<V, unknown, unknown>, record);
    if (!validation.ok) {
      reject(record, validation.reason, record.rawValue);
      continue;
    }
    let keys: readonly string[];
    try {
      keys = consumer.stateKeys(validation.record, options.config);
    } catch (error) {
      reject(record, `no state key: ${(error as Error).message}`, record.rawValue);
      continue;
    }
    rawOf.set(validation.record, record.rawValue);
    for (const key of new Set(keys)) byKey.set(key, [...(byKey.get(key) ?? []), validation.record]);
  }
  // A poison record is on the rejected queue before any write moves a fence past it.
  await sendRejected(ctx, options.rejectedQueueUrl, rejected);

  const keys = [...byKey.keys()];
  stats.keys = keys.length;
  const stored = await readItems(ctx, keys);
  const toPublish: StateItem[] = [];
  const keyErrors: { key: string; error: unknown }[] = [];

  const applyKey = async (key: string) => {
    const records = byKey.get(key)!;
    let current = stored.get(key);
    for (let attempt = 1; ; attempt++) {
      const fold = foldKey(consumer, options.config, key, current, records, Date.now());
      stats.duplicatesSkipped += fold.duplicates;
      if (fold.failures.length > 0) {
        const before = rejected.length;
        for (const failure of fold.failures)
          reject(failure.record, failure.reason, rawOf.get(failure.record as ConsumerRecord<V>) ?? null);
        await sendRejected(ctx, options.rejectedQueueUrl, rejected.slice(before));
      }
      if (!fold.next) {
        if (current?.outbox?.length) toPublish.push(current);
        return;
      }
      if (await writeItem(ctx, fold.next, current?.version, fold.sideRecords)) {
        if (fold.next.outbox?.length) toPublish.push(fold.next);
        return;
      }
      stats.duplicatesSkipped -= fold.duplicates;
      if (attempt >= MAX_WRITE_ATTEMPTS) throw new KeyContentionError(key, attempt);
      current = await readItem(ctx, key);
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      try {
        await applyKey(key);
      } catch (error) {
        if (!isReportable(error)) throw error;
        keyErrors.push({ key, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(KEY_CONCURRENCY, keys.length) }, worker));

  await publishOutboxes(ctx, options.alertTopicArn, toPublish);
  return { stats, rejected, keyErrors, batchItemFailures: firstUnfinished(keyErrors, byKey) };
}

/** Errors the batch reports as partial failures; anything else (a crash, a bug) fails the invocation. */
function isReportable(error: unknown): boolean {
  return (
    error instanceof KeyContentionError ||
    error instanceof TimeBudgetExceededError ||
    (error as { $metadata?: unknown } | undefined)?.$metadata !== undefined
  );
}

function firstUnfinished(
  keyErrors: readonly { key: string }[],
  byKey: ReadonlyMap<string, readonly ConsumerRecord<unknown>[]>,
): KafkaBatchItemFailure[] {
  const first = new Map<string, number>();
  for (const { key } of keyErrors) {
    for (const record of byKey.get(key) ?? []) {
      const partition = partitionName(record);
      first.set(partition, Math.min(first.get(partition) ?? Number.POSITIVE_INFINITY, record.offset));
    }
  }
  return [...first].map(([partition, offset]) => ({ itemIdentifier: { partition, offset } }));
}
