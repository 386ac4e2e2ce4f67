import { BatchGetCommand, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { EngineClients, EngineStats } from "./clients";
import { EngineError, isConditionFailure, UnprocessedKeysError } from "./errors";
import type { SharedItemWrite } from "./fold";
import { type RetryBudget, withRetry } from "./retry";
import type { StateItem } from "./state-item";
import type { SideRecord } from "./types";
import { putOne, type WriteGroups } from "./write-groups";

const BATCH_GET_LIMIT = 100;
const TRANSACTION_LIMIT = 100;
/** BatchGetItem calls of one read in flight at once: a batch with shared keys reads hundreds of keys. */
const READS_IN_FLIGHT = 8;

export interface StoreContext {
  readonly clients: EngineClients;
  readonly tableName: string;
  readonly sideTables: Readonly<Record<string, string>>;
  readonly budget: RetryBudget;
  readonly stats: EngineStats;
  /** Gathers the keys' plain conditional puts into TransactWriteItems calls; absent, each key is one PutItem. */
  readonly writeGroups?: WriteGroups;
}

/**
 * Reads every key with strongly consistent BatchGetItem calls (100 keys each, up to 8 calls at once).
 * Unprocessed keys are retried by `withRetry` like throttling, the one retry loop of the engine.
 */
export async function readItems(ctx: StoreContext, keys: readonly string[]): Promise<Map<string, StateItem>> {
  const items = new Map<string, StateItem>();
  const chunks: string[][] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT)
    chunks.push(keys.slice(start, start + BATCH_GET_LIMIT));
  let next = 0;
  const reader = async () => {
    while (next < chunks.length) {
      try {
        await readChunk(ctx, chunks[next++]!, items);
      } catch (error) {
        next = chunks.length;
        throw error;
      }
    }
  };
  // Settled, not raced: a failed read returns only once the others in flight are done.
  const readers = await Promise.allSettled(
    Array.from({ length: Math.min(READS_IN_FLIGHT, chunks.length) }, reader),
  );
  const failed = readers.find((reader) => reader.status === "rejected");
  if (failed) throw failed.reason;
  return items;
}

async function readChunk(ctx: StoreContext, keys: readonly string[], items: Map<string, StateItem>) {
  let pending: Record<string, unknown>[] = keys.map((pk) => ({ pk }));
  await withRetry(
    "BatchGetItem",
    async (abortSignal) => {
      const response = await ctx.clients.dynamodb.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: pending, ConsistentRead: true } } }),
        { abortSignal },
      );
      ctx.stats.reads++;
      for (const item of response.Responses?.[ctx.tableName] ?? [])
        items.set(String(item.pk), item as StateItem);
      pending =
        (response.UnprocessedKeys?.[ctx.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      if (pending.length > 0) throw new UnprocessedKeysError(pending.length);
    },
    ctx.budget,
  );
}

/** Reads one key, strongly consistent, after a lost race. */
export async function readItem(ctx: StoreContext, pk: string): Promise<StateItem | undefined> {
  const response = await withRetry(
    "GetItem",
    (abortSignal) =>
      ctx.clients.dynamodb.send(
        new GetCommand({ TableName: ctx.tableName, Key: { pk }, ConsistentRead: true }),
        { abortSignal },
      ),
    ctx.budget,
  );
  ctx.stats.reads++;
  return response.Item as StateItem | undefined;
}

/** The condition that an item is still at the version read (`readVersion`), or still absent. */
function unchangedSince(readVersion: number | undefined) {
  return readVersion === undefined
    ? { ConditionExpression: "attribute_not_exists(pk)" }
    : { ConditionExpression: "version = :read", ExpressionAttributeValues: { ":read": readVersion } };
}

/**
 * Writes a key's next item on condition that it is unchanged since it was read (`readVersion`, or absent),
 * in one transaction with its side records and shared keys' items when there are any (each shared item on
 * the same condition). Returns false when a condition failed.
 */
export async function writeItem(
  ctx: StoreContext,
  item: StateItem,
  readVersion: number | undefined,
  sideRecords: readonly SideRecord[] = [],
  sharedWrites: readonly SharedItemWrite[] = [],
): Promise<boolean> {
  const condition = unchangedSince(readVersion);
  if (sideRecords.length === 0 && sharedWrites.length === 0) {
    const written = await (ctx.writeGroups?.put(item, condition) ?? putOne(ctx, { item, condition }));
    if (written) ctx.stats.writes++;
    else ctx.stats.conflicts++;
    return written;
  }
  if (sideRecords.length + sharedWrites.length + 1 > TRANSACTION_LIMIT) {
    throw new EngineError(
      `key ${item.pk}: ${sideRecords.length} side records and ${sharedWrites.length} shared keys exceed one transaction`,
    );
  }
  const TransactItems = [
    { Put: { TableName: ctx.tableName, Item: item, ...condition } },
    ...sharedWrites.map((write) => ({
      Put: { TableName: ctx.tableName, Item: write.item, ...unchangedSince(write.readVersion) },
    })),
    ...sideRecords.map((record) => ({
      Put: { TableName: sideTable(ctx, record.table), Item: record.item },
    })),
  ];
  try {
    await withRetry(
      "TransactWriteItems",
      (abortSignal) =>
        ctx.clients.dynamodb.send(new TransactWriteCommand({ TransactItems }), { abortSignal }),
      ctx.budget,
    );
    ctx.stats.writes++;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) {
      ctx.stats.conflicts++;
      return false;
    }
    throw error;
  }
}

function sideTable(ctx: StoreContext, name: string): string {
  // SIDE_TABLE_<NAME> variables are upper case, so a camel-case name ("endedSessions") arrives lower-cased.
  const table = ctx.sideTables[name] ?? ctx.sideTables[name.toLowerCase()];
  if (!table)
    throw new EngineError(`no side table named "${name}" is configured (SIDE_TABLE_${name.toUpperCase()})`);
  return table;
}
