import { createHash } from "node:crypto";
import { STATE_TABLE_SCHEMA } from "../state-table-schema";
import type { Alert, RecordCoordinates } from "./types";

/**
 * Which invocation may publish a pending alert, and until when (epoch ms): the one that wrote it, or took it
 * over after the writer's time was up. Nobody else publishes it before `until`, so a live writer and a
 * rebalanced overlap never both publish one alert.
 */
export interface OutboxClaim {
  readonly by: string;
  readonly until: number;
}

/** An invocation as an outbox owner: its id, and when it is surely over (its end plus a clock-skew margin). */
export interface OutboxOwner {
  readonly id: string;
  readonly until: number;
}

/** A state item as stored: the reducer's state plus what makes it exactly-once. */
export interface StateItem<S = unknown> {
  readonly pk: string;
  /** Bumped by every write; each write is conditional on the version it read. */
  readonly version: number;
  readonly state?: S;
  /** Alerts written with the state and not yet acknowledged as published. */
  readonly outbox?: readonly Alert[];
  /** Per pending alert id, who may publish it until when. */
  readonly outboxClaims?: Readonly<Record<string, OutboxClaim>>;
  readonly outboxShard?: string;
  /** When the oldest pending alert was written (epoch ms): the sort key the relay's index query uses. */
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
  "outboxClaims",
  STATE_TABLE_SCHEMA.outboxIndex.partitionKey,
  STATE_TABLE_SCHEMA.outboxIndex.sortKey,
  STATE_TABLE_SCHEMA.timeToLive,
  "redriven",
]);
