import { createHash } from "node:crypto";
import { STATE_TABLE_SCHEMA } from "../state-table-schema";
import type { Alert, RecordCoordinates } from "./types";

/** A state item as stored: the reducer's state plus what makes it exactly-once. */
export interface StateItem<S = unknown> {
  readonly pk: string;
  /** Bumped by every write; each write is conditional on the version it read. */
  readonly version: number;
  readonly state?: S;
  /** Alerts written with the state and not yet acknowledged as published. */
  readonly outbox?: readonly Alert[];
  readonly outboxShard?: string;
  readonly outboxSince?: number;
  readonly expiresAt?: number;
  /** Fences (`f:<topic>:<partition>` → last applied offset) and reducer index attributes. */
  readonly [attribute: string]: unknown;
}

const FENCE_PREFIX = "f:";

/** The top-level attribute holding the last applied offset of one topic-partition. */
export const fenceAttribute = ({ topic, partition }: Pick<RecordCoordinates, "topic" | "partition">) =>
  `${FENCE_PREFIX}${topic}:${partition}`;

export const isFenceAttribute = (name: string) => name.startsWith(FENCE_PREFIX);

/** Which shard of the sparse outbox index a key's pending alerts are listed under. */
export function outboxShard(pk: string): string {
  const digest = createHash("sha1").update(pk).digest();
  return String(digest.readUInt32BE(0) % STATE_TABLE_SCHEMA.outboxShards);
}

/** Attributes the engine owns; anything else top-level on an item is a reducer's index attribute. */
export const ENGINE_ATTRIBUTES = new Set([
  STATE_TABLE_SCHEMA.partitionKey,
  "version",
  "state",
  "outbox",
  STATE_TABLE_SCHEMA.outboxIndex.partitionKey,
  STATE_TABLE_SCHEMA.outboxIndex.sortKey,
  STATE_TABLE_SCHEMA.timeToLive,
]);
