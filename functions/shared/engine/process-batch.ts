import { randomUUID } from "node:crypto";
import type { EngineClients, EngineStats } from "./clients";
import { emptyStats } from "./clients";
import { type DeliveredRecord, partitionName } from "./decode";
import { KeyContentionError, TimeBudgetExceededError } from "./errors";
import { foldKey } from "./fold";
import { claimAbandoned, publishOutboxes } from "./outbox";
import { sendRejected } from "./rejected";
import type { OutboxOwner, StateItem } from "./state-item";
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
  /**
   * Epoch ms at which Lambda stops the invocation: until then (plus a clock-skew margin) nobody else
   * publishes the alerts this batch writes.
   * @default deadline
   */
  readonly invocationEnd?: number;
  /**
   * Processing time for outbox timestamps and claims; replay passes its event-time clock, so that the relay
   * it runs on event time sees the same times.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * The records are rejected ones redriven after a fix: applied past the fences, at most once per key
   * (functions/shared/engine/redrive.ts).
   * @default false
   */
  readonly redrive?: boolean;
}

const MAX_WRITE_ATTEMPTS = 8;
const KEY_CONCURRENCY = 16;
const MAX_KEY_BYTES = 2048;
/** Extra life of an outbox claim past the invocation's end, for clocks that disagree between hosts. */
const CLAIM_MARGIN_MS = 10_000;

/**
 * The exactly-once engine for one batch: validate, group by state key, read, fold past the fences,
 * one conditional write per key, publish the outboxes. Every record takes effect once however often
 * the batch, or any part of it, is delivered again.
 */
export async function processBatch<V, S, C>(
  consumer: Consumer<V, S, C>,
  options: EngineOptions<C>,
  delivered: readonly DeliveredRecord[],
  { clients, deadline, invocationEnd = deadline, clock = Date.now, redrive = false }: BatchContext,
): Promise<BatchOutcome> {
  const owner: OutboxOwner = {
    id: randomUUID(),
    until: clock() + (invocationEnd - Date.now()) + CLAIM_MARGIN_MS,
  };
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
    // DynamoDB refuses such a key on every delivery: the record would block its partition for good.
    const problem = keys.map(stateKeyProblem).find((p) => p !== undefined);
    if (problem) {
      reject(record, `no state key: ${problem}`, record.rawValue);
      continue;
    }
    rawOf.set(validation.record, record.rawValue);
    for (const key of new Set(keys)) {
      const records = byKey.get(key);
      if (records) records.push(validation.record);
      else byKey.set(key, [validation.record]);
    }
  }
  // A poison record is on the rejected queue before any write moves a fence past it.
  await sendRejected(ctx, options.rejectedQueueUrl, rejected);

  const keys = [...byKey.keys()];
  stats.keys = keys.length;
  const stored = await readItems(ctx, keys);
  const toPublish: StateItem[] = [];
  const keyErrors: { key: string; error: unknown }[] = [];
  const failedRecords = new Set<ConsumerRecord<unknown>>();

  const applyKey = async (key: string) => {
    const records = byKey.get(key)!;
    let current = stored.get(key);
    for (let attempt = 1; ; attempt++) {
      const fold = foldKey(consumer, options.config, key, current, records, clock(), owner, redrive);
      stats.duplicatesSkipped += fold.duplicates;
      // A redo after a lost race (or another key of the same record) meets the same failure: send it once.
      const failures = fold.failures.filter((failure) => !failedRecords.has(failure.record));
      if (failures.length > 0) {
        const before = rejected.length;
        for (const failure of failures) {
          failedRecords.add(failure.record);
          reject(failure.record, failure.reason, rawOf.get(failure.record as ConsumerRecord<V>) ?? null);
        }
        await sendRejected(ctx, options.rejectedQueueUrl, rejected.slice(before));
      }
      if (!fold.next) {
        // Nothing new: publish what this invocation wrote before (a lost response) or what its writer abandoned.
        if (current?.outbox?.length)
          toPublish.push((await claimAbandoned(ctx, current, owner, clock())) ?? current);
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
  let fatal: { error: unknown } | undefined;
  const worker = async () => {
    while (next < keys.length && !fatal) {
      const key = keys[next++]!;
      if (Date.now() >= deadline) {
        // Past the budget a key might not finish before Lambda stops the invocation: report it for redelivery.
        keyErrors.push({ key, error: new TimeBudgetExceededError(`state key ${key} not started`) });
        continue;
      }
      try {
        await applyKey(key);
      } catch (error) {
        if (!isReportable(error)) fatal ??= { error };
        else keyErrors.push({ key, error });
      }
    }
  };
  // A crash stops the batch, but only once the writes in flight have settled: nothing of it outlives the call.
  await Promise.all(Array.from({ length: Math.min(KEY_CONCURRENCY, keys.length) }, worker));
  if (fatal) throw fatal.error;

  await publishOutboxes(ctx, options.alertTopicArn, toPublish, owner.id);
  return { stats, rejected, keyErrors, batchItemFailures: firstUnfinished(keyErrors, byKey) };
}

/** Why DynamoDB cannot store `key` as a partition key, or undefined when it can. */
function stateKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string") return `state key ${String(key)} is not a string`;
  if (key.length === 0) return "the state key is empty";
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > MAX_KEY_BYTES)
    return `the state key has ${bytes} bytes, more than DynamoDB's ${MAX_KEY_BYTES} bytes`;
  return undefined;
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
