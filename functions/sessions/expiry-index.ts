import { createHash } from "node:crypto";

/**
 * The sparse index over users with an active session, by when the session times out. Shared by the CDK
 * construct that creates it, the reducer that sets its attributes and the sweeper that queries it.
 */
export const SESSION_EXPIRY_INDEX = {
  name: "session-expiry",
  /** String: which shard of the index the user's item sits in. */
  partitionKey: "expiryShard",
  /** Number: epoch milliseconds at which the active session times out (lastClick + gap). */
  sortKey: "sessionExpiresAt",
  /** Shards, so that neither a sweep nor a busy minute's writes hit one index partition. */
  shards: 8,
} as const;

/** Every shard of the index, as the values of `expiryShard`. */
export const EXPIRY_SHARDS: readonly string[] = Array.from({ length: SESSION_EXPIRY_INDEX.shards }, (_, n) =>
  String(n),
);

/** The user's shard: stable, and spread evenly whatever the user ids look like. */
export function expiryShardOf(userId: string): string {
  const digest = createHash("sha256").update(userId, "utf8").digest();
  return String(digest.readUInt32BE(0) % SESSION_EXPIRY_INDEX.shards);
}
