/** A record as a partitioned log holds it. */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** The value bytes as UTF-8 text, or null for a tombstone. */
  readonly value: string | null;
  /** Epoch milliseconds (CREATE_TIME). */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A record to append; without `partition` the log's partitioner places it by key (murmur2, as Kafka does). */
export interface ProducedRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly partition?: number;
  /** Epoch milliseconds; defaults to the time of producing. */
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RecordPosition {
  readonly partition: number;
  readonly offset: number;
}

export interface FetchRequest {
  readonly topic: string;
  readonly partition: number;
  /** The first offset to return. */
  readonly fromOffset: number;
  /** At most this many records. */
  readonly max: number;
  /**
   * Once at least one record is there, how long to wait for `max` (the batching window); 0 returns at once.
   * Without any record the fetch waits until one arrives or `signal` aborts (then it returns none).
   */
  readonly maxWaitMs: number;
  readonly signal?: AbortSignal;
  /** Who is reading: a backend may keep a reader per consumer group. */
  readonly group: string;
}

/**
 * What the local event source mapping reads from: Kafka's data model (topics of partitions of offset-ordered
 * records, committed offsets per consumer group), served by a real broker or in process.
 */
export interface PartitionedLog {
  /** What the event's `bootstrapServers` says. */
  readonly bootstrapServers: string;
  /** Creates the topic with `partitions` partitions unless it exists. */
  ensureTopic(topic: string, partitions: number): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** Appends in the given order; returns where each record went. */
  produce(topic: string, records: readonly ProducedRecord[]): Promise<RecordPosition[]>;
  fetch(request: FetchRequest): Promise<LogRecord[]>;
  /** Records `nextOffset` (the offset to read next, Kafka's convention) as the group's position. */
  commit(group: string, topic: string, partition: number, nextOffset: number): Promise<void>;
  /** The group's committed next offset, or undefined when it never committed. */
  committed(group: string, topic: string, partition: number): Promise<number | undefined>;
  /** The first offset still held, per partition. */
  beginningOffsets(topic: string): Promise<number[]>;
  /** The offset the next record will get (the high watermark), per partition. */
  endOffsets(topic: string): Promise<number[]>;
  /** Drops what a group's readers hold (a consumer stopped); committed offsets stay. */
  release(group: string): Promise<void>;
  close(): Promise<void>;
}
