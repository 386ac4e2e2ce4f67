import type * as z from "zod";

/** Where a Kafka record sits: what the engine fences on and what a rejected record reports. */
export interface RecordCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A Kafka record after decoding and validation, as a reducer sees it. */
export interface ConsumerRecord<V> extends RecordCoordinates {
  /** The record key (UTF-8), or null when the record has none. */
  readonly key: string | null;
  /** The validated value. */
  readonly value: V;
  /** Kafka timestamp, epoch milliseconds. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An alert as published to SNS (message body) and kept in the outbox until published. */
export interface Alert {
  /** Deterministic from the triggering record, so a replay of the same input gives the same ids. */
  readonly alertId: string;
  readonly alertType: string;
  readonly severity: Severity;
  /** The product, card, seller or user the alert is about. */
  readonly subjectId: string;
  /** The triggering record's event time, ISO-8601 UTC. */
  readonly eventTime: string;
  /** What a person reads: "P-123 'Blue mug' is out of stock as of 23:03:12". */
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An item written in the same transaction as a key's state, to another table of the consumer (decisions, ended sessions). */
export interface SideRecord {
  /** The side table's name in the consumer's config (`EngineOptions.sideTables`), e.g. "decisions". */
  readonly table: string;
  /** The whole item; writing it again must be harmless (same key, same content). */
  readonly item: Readonly<Record<string, unknown>>;
}

/** What a reducer returns for one record: the key's next state and what the record caused. */
export interface Reduction<S> {
  readonly state: S;
  readonly alerts?: readonly Alert[];
  readonly records?: readonly SideRecord[];
  /** Epoch seconds after which DynamoDB may delete the key's item (TTL); omit to keep it. */
  readonly expiresAt?: number;
  /**
   * Top-level item attributes for a sparse index (e.g. a session's expiry shard and time); written with the
   * state and removed from the item when a later reduction omits them.
   */
  readonly indexAttributes?: Readonly<Record<string, string | number>>;
  /**
   * New states of some of the record's `sharedKeys` (a seller's breach flag), by key: written in one
   * transaction with the key's item, each on condition that it is unchanged since it was read; a lost race
   * re-reads and redoes the key. For rare transitions only: every such write can race with other partitions.
   */
  readonly sharedWrites?: Readonly<Record<string, SharedWrite>>;
}

/** A shared key's next state, and when DynamoDB may delete its item (epoch seconds; omit to keep it). */
export interface SharedWrite {
  readonly state: unknown;
  readonly expiresAt?: number;
}

/**
 * The states of a record's shared keys as its reduction sees them: as read with the batch (or re-read after a
 * lost race), then as earlier reductions of the same key's fold wrote them. A key with no item is absent.
 */
export type SharedStates = ReadonlyMap<string, unknown>;

/**
 * Everything that makes a use case what it is. The engine makes it exactly-once; a consumer never
 * touches AWS, a clock or randomness.
 */
export interface Consumer<V, S, C> {
  /** The consumer's name in the shop's words: "inventory", "cardVelocity", "orders", "sessions". */
  readonly name: string;
  /** Validates the JSON-parsed record value. */
  readonly schema: z.ZodType<V>;
  /** The state keys a record updates, e.g. `[productId]`, or a minute shard and a seller window for an order. */
  stateKeys(record: ConsumerRecord<V>, config: C): readonly string[];
  /**
   * Keys whose state the record's reduction of state key `key` reads but does not own: other partitions' shards
   * of a state that records of every partition feed (a seller's window), and flags such as the seller's breach.
   * Read with the batch and passed to `reduce`; they carry no fences and change only with an owned key
   * (`Reduction.sharedWrites`), so no two partitions' invocations race for them but on a transition.
   * @default none
   */
  sharedKeys?(key: string, record: ConsumerRecord<V>, config: C): readonly string[];
  /**
   * Folds one record into one key's state; `state` is undefined for a key never seen, `shared` holds the
   * record's shared keys' states (the engine always passes it, empty without `sharedKeys`). Pure.
   */
  reduce(
    key: string,
    state: S | undefined,
    record: ConsumerRecord<V>,
    config: C,
    shared?: SharedStates,
  ): Reduction<S>;
}

/**
 * A key or value of a rejected record: its text when that is valid UTF-8 SQS accepts, else base64 of its
 * bytes; masked where it held a card number. `bytes` and `sha256` describe the bytes as delivered (as masked
 * when `masked`: a bare hash of a card number could be reversed).
 */
export interface RejectedPart {
  readonly encoding: "utf8" | "base64";
  readonly data: string;
  readonly bytes: number;
  /** Hex SHA-256 of the original bytes. */
  readonly sha256: string;
  /** `data` was cut (by bytes) so that the message fits SQS's limit. */
  readonly truncated: boolean;
}

/** A record that failed decoding, validation or storing: the rejected-records queue's message, format 2 (docs/deploy.md). */
export interface RejectedRecord extends RecordCoordinates {
  readonly format: 2;
  readonly consumer: string;
  /** The record's Kafka timestamp, epoch ms. */
  readonly timestamp: number;
  /** Header values as text, card numbers masked (a header whose name holds one is left out); those named in `binaryHeaders` are base64 of their bytes. */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers whose bytes are not valid UTF-8 or hold characters SQS refuses. Omitted when none. */
  readonly binaryHeaders?: readonly string[];
  /** Why, never holding a card number. */
  readonly reason: string;
  /** ISO-8601 UTC. */
  readonly rejectedAt: string;
  readonly key: RejectedPart | null;
  /** Null for a tombstone. */
  readonly value: RejectedPart | null;
  /** A card number was masked in the key, the value or the headers: the record can never be re-applied. */
  readonly masked: boolean;
}

/** Where the engine keeps state and sends what it produces. */
export interface EngineOptions<C> {
  /** The consumer's config (thresholds), passed to `stateKeys` and `reduce`. */
  readonly config: C;
  /** The state table (layout: `functions/shared/state-table-schema.ts`). */
  readonly tableName: string;
  /** Side tables by their name in `SideRecord.table`, e.g. `{ decisions: "…-Decisions-…" }`. */
  readonly sideTables?: Readonly<Record<string, string>>;
  readonly alertTopicArn: string;
  readonly rejectedQueueUrl: string;
  /**
   * The topic the consumer reads: a record of any other topic is rejected naming both.
   * @default any topic (engine tests feeding several topics to one engine); the stack always sets it
   */
  readonly topic?: string;
  /**
   * How far a record's `eventTime` may lie ahead of its Kafka timestamp before it is rejected, milliseconds.
   * @default 1 hour (`theworldshop:engine.maxEventTimeAheadMinutes`)
   */
  readonly maxEventTimeAheadMs?: number;
  /**
   * State keys applied at once within a batch (each its own read-modify-conditional-write chain).
   * @default 16
   */
  readonly keyConcurrency?: number;
  /**
   * State keys whose conditional writes go in one TransactWriteItems call (1 to 100): the keys that fold in the
   * same turn share a round trip, at twice the write units per item (write-groups.ts). 1 writes each key with its
   * own PutItem. A key written with side records or shared keys is always its own transaction.
   * @default 1
   */
  readonly keysPerWrite?: number;
}
