/**
 * The attribute layout of every consumer state table, shared by the CDK construct that creates the table
 * and the engine that reads and writes it, so the two cannot drift apart.
 */
export const STATE_TABLE_SCHEMA = {
  partitionKey: "pk",
  /** Epoch seconds after which DynamoDB may delete the item. */
  timeToLive: "expiresAt",
  /** Sparse index over items whose outbox still holds unpublished alerts. */
  outboxIndex: { name: "outbox-pending", partitionKey: "outboxShard", sortKey: "outboxSince" },
  /** Number of shards of the outbox index, so the relay's queries never hit one hot partition. */
  outboxShards: 8,
} as const;
