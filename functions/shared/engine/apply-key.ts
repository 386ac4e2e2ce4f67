import { dynamoDbRefusal, KeyContentionError, StateItemRefusedError } from "./errors";
import { foldKey } from "./fold";
import { claimAbandoned } from "./outbox";
import { fenceAttribute, type OutboxOwner, type StateItem } from "./state-item";
import { readItem, readItems, type StoreContext, writeItem } from "./state-store";
import type { Consumer, ConsumerRecord } from "./types";

/** What applying one key's records needs from its batch. */
export interface KeyApplication<V, S, C> {
  readonly consumer: Consumer<V, S, C>;
  readonly config: C;
  readonly ctx: StoreContext;
  readonly owner: OutboxOwner;
  readonly clock: () => number;
  /** Puts records on the rejected queue (each once); resolves before any write may fence them. */
  readonly reject: (
    failures: readonly { record: ConsumerRecord<unknown>; reason: string }[],
  ) => Promise<void>;
  /** The last item written per key with pending alerts: a key written record by record publishes once. */
  readonly toPublish: Map<string, StateItem>;
  /** The records are redriven rejected ones: applied past the fences, once per key (redrive.ts). */
  readonly redrive: boolean;
}

/** A key's item as last read or written by this batch, and its records' shared keys' items as last read or written. */
export interface KeyCursor {
  current: StateItem | undefined;
  /** Every shared key of the key's records; undefined for one with no item. */
  shared: ReadonlyMap<string, StateItem | undefined>;
}

const MAX_WRITE_ATTEMPTS = 8;

/**
 * Applies a key's records of the batch onto its stored item (`at`, which follows what is read and written, even
 * when this fails), with one conditional write. When DynamoDB
 * refuses the item for good (too large, …) the key is redone record by record: a record whose item it
 * refuses is rejected with DynamoDB's reason and fenced by a fences-only write, so the partition moves on.
 */
export async function applyKeyRecords<V, S, C>(
  app: KeyApplication<V, S, C>,
  key: string,
  records: readonly ConsumerRecord<V>[],
  at: KeyCursor,
): Promise<void> {
  try {
    await applyRecords(app, key, records, at);
    return;
  } catch (error) {
    if (dynamoDbRefusal(error) === undefined) throw error;
  }
  for (const record of records) {
    try {
      await applyRecords(app, key, [record], at);
    } catch (error) {
      const refusal = dynamoDbRefusal(error);
      if (refusal === undefined) throw error;
      await app.reject([{ record, reason: `DynamoDB refused the state item of key ${key}: ${refusal}` }]);
      await fenceOnly(app.ctx, key, record, at);
    }
  }
}

/** Folds `records` onto the key's item and writes it, redoing after lost races; `at.current` follows the item. */
async function applyRecords<V, S, C>(
  app: KeyApplication<V, S, C>,
  key: string,
  records: readonly ConsumerRecord<V>[],
  at: KeyCursor,
): Promise<void> {
  const { ctx, owner, clock } = app;
  for (let attempt = 1; ; attempt++) {
    const fold = foldKey(
      app.consumer,
      app.config,
      key,
      at.current,
      records,
      clock(),
      owner,
      app.redrive,
      at.shared,
    );
    await app.reject(fold.failures);
    if (!fold.next) {
      ctx.stats.duplicatesSkipped += fold.duplicates;
      // Nothing new: publish what this invocation wrote before (a lost response) or what its writer abandoned.
      if (at.current?.outbox?.length)
        app.toPublish.set(key, (await claimAbandoned(ctx, at.current, owner, clock())) ?? at.current);
      return;
    }
    if (await writeItem(ctx, fold.next, at.current?.version, fold.sideRecords, fold.sharedWrites)) {
      ctx.stats.duplicatesSkipped += fold.duplicates;
      at.current = fold.next;
      // The next fold of this key (record by record after a refusal) starts from what this one wrote.
      if (fold.sharedWrites.length > 0)
        at.shared = new Map([
          ...at.shared,
          ...fold.sharedWrites.map((write) => [write.item.pk, write.item] as const),
        ]);
      if (fold.next.outbox?.length) app.toPublish.set(key, fold.next);
      return;
    }
    if (attempt >= MAX_WRITE_ATTEMPTS) throw new KeyContentionError(key, attempt);
    at.current = await readItem(ctx, key);
    // Whoever won may have changed shared keys too (another invocation of this partition in a rebalance):
    // a fold of the new item on shared keys as first read could undo what the winner decided.
    if (at.shared.size > 0) at.shared = await readShared(ctx, [...at.shared.keys()]);
  }
}

/** The items of `keys` as they stand now, undefined for a key with none. */
async function readShared(
  ctx: StoreContext,
  keys: readonly string[],
): Promise<Map<string, StateItem | undefined>> {
  const items = await readItems(ctx, keys);
  return new Map(keys.map((key) => [key, items.get(key)]));
}

/** Advances the key's fence past `record` without applying it: the partition moves on. */
async function fenceOnly(
  ctx: StoreContext,
  key: string,
  record: ConsumerRecord<unknown>,
  at: KeyCursor,
): Promise<void> {
  const fence = fenceAttribute(record);
  for (let attempt = 1; ; attempt++) {
    if (((at.current?.[fence] as number | undefined) ?? -1) >= record.offset) return;
    const next = { ...at.current, pk: key, version: (at.current?.version ?? 0) + 1, [fence]: record.offset };
    try {
      if (await writeItem(ctx, next, at.current?.version)) {
        at.current = next;
        return;
      }
    } catch (error) {
      const refusal = dynamoDbRefusal(error);
      if (refusal !== undefined) throw new StateItemRefusedError(key, refusal, { cause: error });
      throw error;
    }
    if (attempt >= MAX_WRITE_ATTEMPTS) throw new KeyContentionError(key, attempt);
    at.current = await readItem(ctx, key);
  }
}
