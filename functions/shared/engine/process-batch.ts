import { randomUUID } from "node:crypto";
import { applyKeyRecords, type KeyApplication, type KeyCursor } from "./apply-key";
import { maskCardText } from "./card-screen";
import type { EngineClients, EngineStats } from "./clients";
import { emptyStats } from "./clients";
import { type DeliveredRecord, partitionName } from "./decode";
import {
  EngineConfigError,
  isTransient,
  KeyContentionError,
  StateItemRefusedError,
  TimeBudgetExceededError,
} from "./errors";
import {
  DEFAULT_KEY_CONCURRENCY,
  DEFAULT_KEYS_PER_WRITE,
  MAX_KEY_CONCURRENCY,
  MAX_KEYS_PER_WRITE,
} from "./key-settings";
import { publishOutboxes } from "./outbox";
import { DEFAULT_MAX_EVENT_TIME_AHEAD_MS, type RecordBoundary } from "./plausible";
import { sendRejected } from "./rejected";
import { type Mask, rejectedRecord } from "./rejected-record";
import type { OutboxOwner, StateItem } from "./state-item";
import { readItems, type StoreContext } from "./state-store";
import type { Consumer, ConsumerRecord, EngineOptions, RecordCoordinates, RejectedRecord } from "./types";
import { validateRecord } from "./validate";
import { WriteGroups } from "./write-groups";

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
  const budget = { deadline, onRetry: () => stats.retries++ };
  const keysPerWrite = options.keysPerWrite ?? DEFAULT_KEYS_PER_WRITE;
  const concurrency = options.keyConcurrency ?? DEFAULT_KEY_CONCURRENCY;
  for (const [name, value, max] of [
    ["keysPerWrite", keysPerWrite, MAX_KEYS_PER_WRITE],
    ["keyConcurrency", concurrency, MAX_KEY_CONCURRENCY],
  ] as const)
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new EngineConfigError(`${name} must be a whole number from 1 to ${max}, got ${value}`);
  const ctx: StoreContext = {
    clients,
    tableName: options.tableName,
    sideTables: options.sideTables ?? {},
    budget,
    stats,
    ...(keysPerWrite > 1 && {
      writeGroups: new WriteGroups({ clients, tableName: options.tableName, budget }, keysPerWrite),
    }),
  };
  const boundary: RecordBoundary = {
    topic: options.topic,
    maxEventTimeAheadMs: options.maxEventTimeAheadMs ?? DEFAULT_MAX_EVENT_TIME_AHEAD_MS,
  };
  // Key, headers and reason too: a producer may key a record by the very card number the screen rejects.
  const mask: Mask = (text) => maskCardText(text).text;
  const rejected: RejectedRecord[] = [];
  const reject = (record: DeliveredRecord, reason: string) =>
    rejected.push(rejectedRecord(consumer.name, record, reason, mask, new Date()));

  const byKey = new Map<string, ConsumerRecord<V>[]>();
  /** Per state key, the shared keys its records read. */
  const sharedOf = new Map<string, Set<string>>();
  const deliveredOf = new Map<ConsumerRecord<unknown>, DeliveredRecord>();
  const inOrder = [...delivered].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
  for (const record of inOrder) {
    if (record.undecodable) {
      reject(record, `invalid UTF-8 in the record's ${record.undecodable}: rejected, not repaired`);
      continue;
    }
    const { keyBytes: _k, valueBytes: _v, binaryHeaders: _b, ...decoded } = record;
    const validation = validateRecord(consumer as Consumer<V, unknown, unknown>, decoded, boundary);
    if (!validation.ok) {
      reject(record, validation.reason);
      continue;
    }
    let keys: readonly string[];
    let shared: Map<string, readonly string[]>;
    try {
      keys = [...new Set(consumer.stateKeys(validation.record, options.config))];
      shared = new Map(
        keys.map((key) => [key, consumer.sharedKeys?.(key, validation.record, options.config) ?? []]),
      );
    } catch (error) {
      reject(record, `no state key: ${(error as Error).message}`);
      continue;
    }
    // DynamoDB refuses such a key on every delivery: the record would block its partition for good.
    const problem = [...keys, ...[...shared.values()].flat()]
      .map(stateKeyProblem)
      .find((p) => p !== undefined);
    if (problem) {
      reject(record, `no state key: ${problem}`);
      continue;
    }
    deliveredOf.set(validation.record, record);
    for (const key of keys) {
      const records = byKey.get(key);
      if (records) records.push(validation.record);
      else byKey.set(key, [validation.record]);
      const ofRecord = shared.get(key)!;
      if (ofRecord.length === 0) continue;
      const ofKey = sharedOf.get(key) ?? new Set<string>();
      for (const sharedKey of ofRecord) ofKey.add(sharedKey);
      sharedOf.set(key, ofKey);
    }
  }
  const keys = [...byKey.keys()];
  stats.keys = keys.length;
  const readKeys = [...new Set([...keys, ...[...sharedOf.values()].flatMap((ofKey) => [...ofKey])])];
  let stored: Map<string, StateItem>;
  let sent = false;
  try {
    // A poison record is on the rejected queue before any write moves a fence past it.
    await sendRejected(ctx, options.rejectedQueueUrl, rejected);
    sent = true;
    stored = await readItems(ctx, readKeys);
  } catch (error) {
    if (!isReportable(error)) throw error;
    // Nothing applied yet: the whole batch is redelivered from each partition's first offset.
    const keyErrors = [{ key: "(batch)", error }];
    return { stats, rejected: sent ? rejected : [], keyErrors, batchItemFailures: firstOffsets(delivered) };
  }
  // The last item written per key: a key written record by record must not publish its outbox twice.
  const toPublish = new Map<string, StateItem>();
  const keyErrors: { key: string; error: unknown }[] = [];
  const failedRecords = new Set<ConsumerRecord<unknown>>();

  /** Rejects records now, before any write moves a fence past them. */
  const rejectNow = async (failures: readonly { record: ConsumerRecord<unknown>; reason: string }[]) => {
    // A redo after a lost race (or another key of the same record) meets the same failure: send it once.
    const fresh = failures.filter((failure) => !failedRecords.has(failure.record));
    if (fresh.length === 0) return;
    const before = rejected.length;
    for (const { record, reason } of fresh) {
      failedRecords.add(record);
      reject(deliveredOf.get(record)!, reason);
    }
    await sendRejected(ctx, options.rejectedQueueUrl, rejected.slice(before));
  };

  const keyApplication: KeyApplication<V, S, C> = {
    consumer,
    config: options.config,
    ctx,
    owner,
    clock,
    reject: rejectNow,
    toPublish,
    redrive,
  };
  /** Keeps the newer of the item known and `item`: what a later stage's keys read as shared. */
  const known = (item: StateItem | undefined) => {
    if (item && (stored.get(item.pk)?.version ?? -1) < item.version) stored.set(item.pk, item);
  };
  const applyKey = async (key: string) => {
    const at: KeyCursor = {
      current: stored.get(key),
      shared: new Map([...(sharedOf.get(key) ?? [])].map((sharedKey) => [sharedKey, stored.get(sharedKey)])),
    };
    try {
      await applyKeyRecords(keyApplication, key, byKey.get(key)!, at);
    } finally {
      // What a key wrote before it failed is written all the same: later stages read it.
      known(at.current);
      for (const item of at.shared.values()) known(item);
    }
  };

  let fatal: { error: unknown } | undefined;
  for (const stage of stagesOf(keys, byKey, sharedOf)) {
    let next = 0;
    const worker = async () => {
      while (next < stage.length && !fatal) {
        const key = stage[next++]!;
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
    await Promise.all(Array.from({ length: Math.min(concurrency, stage.length) }, worker));
    if (fatal) throw fatal.error;
  }

  await publishOutboxes(ctx, options.alertTopicArn, [...toPublish.values()], owner.id);
  return { stats, rejected, keyErrors, batchItemFailures: firstUnfinished(keyErrors, byKey) };
}

/**
 * The keys in the order they are applied: all at once, or, when records read shared keys, partition by partition
 * (a key goes with its first record's), so that a batch of several partitions gives what the partitions' batches
 * would one after the other: each partition's keys read what the partitions before it wrote.
 */
function stagesOf(
  keys: readonly string[],
  byKey: ReadonlyMap<string, readonly ConsumerRecord<unknown>[]>,
  sharedOf: ReadonlyMap<string, ReadonlySet<string>>,
): string[][] {
  if (sharedOf.size === 0) return [[...keys]];
  const read = new Set([...sharedOf.values()].flatMap((ofKey) => [...ofKey]));
  // Keys that neither read shared keys nor are read as one (orders' minute shards) go with the first stage.
  const independent: string[] = [];
  const stages = new Map<string, string[]>();
  for (const key of keys) {
    if (!sharedOf.has(key) && !read.has(key)) {
      independent.push(key);
      continue;
    }
    const partition = partitionName(byKey.get(key)![0]!);
    const stage = stages.get(partition);
    if (stage) stage.push(key);
    else stages.set(partition, [key]);
  }
  // The records were grouped in topic, partition and offset order, so the stages come in partition order.
  const [first = [], ...rest] = [...stages.values()];
  return [[...independent, ...first], ...rest];
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

/**
 * Errors the batch reports as partial failures, for redelivery: contention, the budget running out on
 * transient errors, and a key whose item cannot even take its fences. Anything else (a crash, a bug, an AWS
 * error no retry fixes, such as a missing table or a denied call) fails the invocation.
 */
function isReportable(error: unknown): boolean {
  return (
    error instanceof KeyContentionError ||
    error instanceof TimeBudgetExceededError ||
    error instanceof StateItemRefusedError ||
    isTransient(error)
  );
}

/** Per partition of `records`, its first offset. */
function firstOffsets(records: readonly RecordCoordinates[]): KafkaBatchItemFailure[] {
  const first = new Map<string, number>();
  for (const record of records) {
    const partition = partitionName(record);
    first.set(partition, Math.min(first.get(partition) ?? Number.POSITIVE_INFINITY, record.offset));
  }
  return [...first].map(([partition, offset]) => ({ itemIdentifier: { partition, offset } }));
}

function firstUnfinished(
  keyErrors: readonly { key: string }[],
  byKey: ReadonlyMap<string, readonly ConsumerRecord<unknown>[]>,
): KafkaBatchItemFailure[] {
  return firstOffsets(keyErrors.flatMap(({ key }) => byKey.get(key) ?? []));
}
