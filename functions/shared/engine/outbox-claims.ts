import { STATE_TABLE_SCHEMA } from "../state-table-schema";
import { type OutboxClaim, type OutboxOwner, outboxShard, type StateItem } from "./state-item";
import type { Alert } from "./types";

/** What an owner writes into a claim. */
export const claimOf = (owner: OutboxOwner): OutboxClaim => ({ by: owner.id, until: owner.until });

/** True when nobody may still be publishing `alert` at `now`: its claim ran out, or it never had one. */
export function isAbandoned(item: StateItem, alert: Alert, now: number): boolean {
  return (item.outboxClaims?.[alert.alertId]?.until ?? 0) <= now;
}

/** The pending alerts of `item` that `ownerId` claimed, and so must publish. */
export function claimedBy(item: StateItem, ownerId: string): Alert[] {
  return (item.outbox ?? []).filter((alert) => item.outboxClaims?.[alert.alertId]?.by === ownerId);
}

/** The pending alerts of `item` nobody may still be publishing at `now`. */
export function abandonedAlerts(item: StateItem, now: number): Alert[] {
  return (item.outbox ?? []).filter((alert) => isAbandoned(item, alert, now));
}

/** The item's claims, with every alert abandoned at `now` claimed by `owner` instead. */
export function takeOverAbandoned(
  item: StateItem | undefined,
  owner: OutboxOwner,
  now: number,
): Record<string, OutboxClaim> {
  const claims: Record<string, OutboxClaim> = { ...item?.outboxClaims };
  for (const alert of item?.outbox ?? []) {
    if (isAbandoned(item!, alert, now)) claims[alert.alertId] = claimOf(owner);
  }
  return claims;
}

/**
 * The outbox attributes for `outbox`: the alerts, their claims, and the sparse index keys that list the item
 * while anything is pending. Nothing at all when the outbox is empty, so a full-item Put removes them.
 */
export function outboxAttributes(
  pk: string,
  outbox: readonly Alert[],
  since: number,
  claims: Readonly<Record<string, OutboxClaim>> = {},
): Record<string, unknown> {
  if (outbox.length === 0) return {};
  const kept = Object.fromEntries(
    outbox.flatMap((alert) => (claims[alert.alertId] ? [[alert.alertId, claims[alert.alertId]]] : [])),
  );
  return {
    outbox,
    ...(Object.keys(kept).length > 0 ? { outboxClaims: kept } : {}),
    [STATE_TABLE_SCHEMA.outboxIndex.partitionKey]: outboxShard(pk),
    [STATE_TABLE_SCHEMA.outboxIndex.sortKey]: since,
  };
}

/** `item` with its outbox attributes replaced by `outbox` and `claims`, one version on. */
export function withOutbox(
  item: StateItem,
  outbox: readonly Alert[],
  claims: Readonly<Record<string, OutboxClaim>>,
  now: number,
): StateItem {
  const {
    outbox: _outbox,
    outboxClaims: _claims,
    [STATE_TABLE_SCHEMA.outboxIndex.partitionKey]: _shard,
    [STATE_TABLE_SCHEMA.outboxIndex.sortKey]: _since,
    ...rest
  } = item;
  return {
    ...rest,
    pk: item.pk,
    version: item.version + 1,
    ...outboxAttributes(item.pk, outbox, item.outboxSince ?? now, claims),
  };
}
