import { STATE_TABLE_SCHEMA } from "../state-table-schema";
import { claimOf, outboxAttributes, takeOverAbandoned } from "./outbox-claims";
import { prunedMarkers, REDRIVE_MARKERS_ATTRIBUTE, redriveMarker, storedMarkers } from "./redrive";
import {
  ENGINE_ATTRIBUTES,
  fenceAttribute,
  isFenceAttribute,
  type OutboxOwner,
  type StateItem,
} from "./state-item";
import type { Alert, Consumer, ConsumerRecord, SharedWrite, SideRecord } from "./types";

/** A shared key's item to write with the key's own, on condition that it is still at `readVersion`. */
export interface SharedItemWrite {
  readonly item: StateItem;
  /** The version read, or undefined when the key had no item. */
  readonly readVersion: number | undefined;
}

/** A key's records folded onto its stored item: the item to write, or nothing when every record was a duplicate. */
export interface KeyFold {
  readonly next?: StateItem;
  readonly sideRecords: readonly SideRecord[];
  readonly applied: number;
  readonly duplicates: number;
  /** Records the reducer threw on: rejected, and fenced so they are not tried again. */
  readonly failures: readonly { record: ConsumerRecord<unknown>; reason: string }[];
  /** Shared keys the reductions changed, in the state their last reduction left. */
  readonly sharedWrites: readonly SharedItemWrite[];
}

/**
 * Skips records at or below the item's fence for their topic-partition, folds the rest through the
 * reducer in order, advances the fences and appends the new alerts to the outbox, claimed by `owner`
 * (who also takes over pending alerts whose claim ran out by `now`). `shared` holds the items of the records'
 * shared keys as read (undefined for a key with no item); the reductions see their states and may change them.
 * Pure.
 */
export function foldKey<V, S, C>(
  consumer: Consumer<V, S, C>,
  config: C,
  pk: string,
  stored: StateItem | undefined,
  records: readonly ConsumerRecord<V>[],
  now: number,
  owner?: OutboxOwner,
  redrive = false,
  shared: ReadonlyMap<string, StateItem | undefined> = new Map(),
): KeyFold {
  const fences: Record<string, number> = {};
  // A redriven record is applied once per key whatever the fences say; a live one once its marker exists is done.
  const markers = storedMarkers(stored);
  let marked = 0;
  let state = stored?.state as S | undefined;
  let expiresAt = stored?.expiresAt;
  let indexAttributes: Record<string, unknown> = storedIndexAttributes(stored);
  const outbox: Alert[] = [...(stored?.outbox ?? [])];
  const claims = owner ? takeOverAbandoned(stored, owner, now) : { ...stored?.outboxClaims };
  const sideRecords: SideRecord[] = [];
  const failures: { record: ConsumerRecord<unknown>; reason: string }[] = [];
  const sharedStates = new Map<string, unknown>();
  for (const [key, item] of shared) if (item) sharedStates.set(key, item.state);
  const sharedChanged = new Map<string, SharedWrite>();
  let applied = 0;
  let duplicates = 0;
  for (const record of records) {
    const fence = fenceAttribute(record);
    const last = fences[fence] ?? (stored?.[fence] as number | undefined) ?? -1;
    const redriven = markers[redriveMarker(record)] !== undefined;
    if (redrive ? redriven : record.offset <= last) {
      duplicates++;
      continue;
    }
    if (!redrive) fences[fence] = record.offset;
    if (redriven) {
      duplicates++;
      continue;
    }
    try {
      const reduction = consumer.reduce(pk, state, record, config, sharedStates);
      const unread = Object.keys(reduction.sharedWrites ?? {}).find((key) => !shared.has(key));
      if (unread !== undefined)
        throw new Error(`wrote shared key ${JSON.stringify(unread)}, not one of its sharedKeys`);
      // A shared write is a whole-item Put: on a key some record owns it would wipe that key's fences, outbox,
      // redrive markers. A shared item holds nothing but what sharedItemWrite puts in it.
      const owned = Object.keys(reduction.sharedWrites ?? {}).find((key) =>
        Object.keys(shared.get(key) ?? {}).some((name) => !SHARED_ITEM_ATTRIBUTES.has(name)),
      );
      if (owned !== undefined)
        throw new Error(`wrote shared key ${JSON.stringify(owned)}, a state key of its own`);
      for (const [key, write] of Object.entries(reduction.sharedWrites ?? {})) {
        sharedStates.set(key, write.state);
        sharedChanged.set(key, write);
      }
      state = reduction.state;
      outbox.push(...(reduction.alerts ?? []));
      if (owner) for (const alert of reduction.alerts ?? []) claims[alert.alertId] = claimOf(owner);
      sideRecords.push(...(reduction.records ?? []));
      expiresAt = reduction.expiresAt ?? expiresAt;
      indexAttributes = { ...reduction.indexAttributes };
      applied++;
      if (redrive) {
        markers[redriveMarker(record)] = now;
        marked++;
      }
    } catch (error) {
      failures.push({ record, reason: `reducer failed: ${(error as Error).message}`.slice(0, 500) });
    }
  }
  if (Object.keys(fences).length === 0 && marked === 0)
    return { sideRecords, applied, duplicates, failures, sharedWrites: [] };
  const next: Record<string, unknown> = {
    ...storedFences(stored),
    ...fences,
    ...indexAttributes,
    pk,
    version: (stored?.version ?? 0) + 1,
    state,
  };
  if (expiresAt !== undefined) next[STATE_TABLE_SCHEMA.timeToLive] = expiresAt;
  const kept = prunedMarkers(markers, now);
  if (Object.keys(kept).length > 0) next[REDRIVE_MARKERS_ATTRIBUTE] = kept;
  Object.assign(next, outboxAttributes(pk, outbox, stored?.outboxSince ?? now, claims));
  const sharedWrites = [...sharedChanged].map(([key, write]) => sharedItemWrite(key, write, shared.get(key)));
  return { next: next as StateItem, sideRecords, applied, duplicates, failures, sharedWrites };
}

const SHARED_ITEM_ATTRIBUTES = new Set([
  STATE_TABLE_SCHEMA.partitionKey,
  "version",
  "state",
  STATE_TABLE_SCHEMA.timeToLive,
]);

function sharedItemWrite(pk: string, write: SharedWrite, read: StateItem | undefined): SharedItemWrite {
  const item: Record<string, unknown> = { pk, version: (read?.version ?? 0) + 1, state: write.state };
  if (write.expiresAt !== undefined) item[STATE_TABLE_SCHEMA.timeToLive] = write.expiresAt;
  return { item: item as StateItem, readVersion: read?.version };
}

function storedFences(stored: StateItem | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored ?? {}).filter(([name]) => isFenceAttribute(name)));
}

function storedIndexAttributes(stored: StateItem | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(stored ?? {}).filter(([name]) => !isFenceAttribute(name) && !ENGINE_ATTRIBUTES.has(name)),
  );
}
