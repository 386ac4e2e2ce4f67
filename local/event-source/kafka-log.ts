import { type Admin, type Batch, type Consumer, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { createReadyTopics } from "../kafka-topics";
import { abortion, Notifier, waitForBatch } from "./batch-wait";
import type { FetchRequest, LogRecord, PartitionedLog, ProducedRecord, RecordPosition } from "./log";
import { UnknownTopicPartitionError } from "./memory-log";
import { partitionForKey } from "./murmur2";

/** Records a reader holds per partition before it pauses fetching that partition. */
const BUFFER_HIGH_WATER = 5_000;

interface Buffered {
  records: LogRecord[];
  /** The offset the next accepted record must have at least. */
  next: number;
  /** Set after a seek: batches fetched before it took effect are dropped until one reaches this offset. */
  seekTo?: number;
  paused: boolean;
  readonly appended: Notifier;
}

/** What a fetch or commit on a reader whose consumer crashed throws; the log has a new reader for the next call. */
export class ReaderCrashedError extends Error {
  constructor(group: string, topic: string, cause: Error) {
    super(`the Kafka consumer of ${group} on ${topic} crashed (${cause.message}); a new one takes over`, {
      cause,
    });
    this.name = "ReaderCrashedError";
  }
}

/**
 * A member of one consumer group reading one topic, the way the event source mapping's poller is: autoCommit
 * off, `eachBatch` filling per-partition buffers, `seek` to reposition, `commitOffsets` only when told.
 *
 * Once its consumer crashes the reader is done: it wakes the fetches waiting on it with a ReaderCrashedError
 * and calls `onCrash`, and the log starts a new reader, whose first fetch seeks afresh. kafkajs is told never
 * to restart a crashed consumer itself: a restart builds a new consumer group that forgets this reader's seeks
 * and pauses, and some crashes (a join refused after broker restarts, "Specified group generation id is not
 * valid") it does not restart at all, leaving a consumer that never fetches again.
 */
class GroupReader {
  private readonly buffers = new Map<number, Buffered>();
  private readonly crash = new AbortController();
  readonly ready: Promise<void>;

  constructor(
    private readonly consumer: Consumer,
    private readonly group: string,
    private readonly topic: string,
    private readonly onCrash: (error: ReaderCrashedError) => void,
  ) {
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (this.crash.signal.aborted) return;
      const error = new ReaderCrashedError(this.group, this.topic, payload.error);
      this.crash.abort(error);
      this.onCrash(error);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch }) => this.accept(batch),
    });
  }

  async fetch(request: FetchRequest): Promise<LogRecord[]> {
    // A new reader joining its group can take kafkajs's whole retry budget while the broker is away; a stopping
    // mapping does not wait for it.
    const stopped = abortion([request.signal]);
    try {
      await Promise.race([this.ready, stopped.promise]);
    } finally {
      stopped.dispose();
    }
    if (request.signal?.aborted) return [];
    this.throwIfCrashed();
    const buffer = this.buffer(request.partition);
    const from = request.fromOffset;
    const first = buffer.records[0]?.offset ?? buffer.next;
    if (buffer.next < 0 || from < first || from > buffer.next) {
      buffer.records = [];
      buffer.next = from;
      buffer.seekTo = from;
      this.consumer.seek({ topic: this.topic, partition: request.partition, offset: String(from) });
    } else {
      const drop = buffer.records.findIndex((record) => record.offset >= from);
      buffer.records = drop < 0 ? [] : buffer.records.slice(drop);
    }
    if (buffer.paused && buffer.records.length < BUFFER_HIGH_WATER / 2) {
      buffer.paused = false;
      this.consumer.resume([{ topic: this.topic, partitions: [request.partition] }]);
    }
    await waitForBatch(
      () => buffer.records.length,
      buffer.appended,
      request.max,
      request.maxWaitMs,
      request.signal,
      this.crash.signal,
    );
    if (buffer.records.length === 0) this.throwIfCrashed();
    return buffer.records.slice(0, request.max);
  }

  async commit(partition: number, nextOffset: number): Promise<void> {
    await this.ready;
    this.throwIfCrashed();
    await this.consumer.commitOffsets([{ topic: this.topic, partition, offset: String(nextOffset) }]);
  }

  async stop(): Promise<void> {
    await this.ready.catch(() => {});
    await this.consumer.disconnect();
  }

  private throwIfCrashed(): void {
    if (this.crash.signal.aborted) throw this.crash.signal.reason;
  }

  private accept(batch: Batch): void {
    const buffer = this.buffer(batch.partition);
    let appended = false;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (buffer.seekTo !== undefined) {
        if (offset > buffer.seekTo) return;
        if (offset < buffer.seekTo) continue;
        buffer.seekTo = undefined;
      }
      if (offset < buffer.next) continue;
      buffer.records.push({
        topic: batch.topic,
        partition: batch.partition,
        offset,
        key: message.key === null ? null : message.key.toString("utf8"),
        value: message.value === null ? null : message.value.toString("utf8"),
        timestamp: Number(message.timestamp),
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value ?? "")]),
        ),
      });
      buffer.next = offset + 1;
      appended = true;
    }
    if (appended) buffer.appended.notify();
    if (!buffer.paused && buffer.records.length >= BUFFER_HIGH_WATER) {
      buffer.paused = true;
      this.consumer.pause([{ topic: this.topic, partitions: [batch.partition] }]);
    }
  }

  private buffer(partition: number): Buffered {
    let buffer = this.buffers.get(partition);
    if (!buffer) {
      buffer = { records: [], next: -1, paused: false, appended: new Notifier() };
      this.buffers.set(partition, buffer);
    }
    return buffer;
  }
}

export interface KafkaLogOptions {
  /**
   * How long the broker waits for a silent consumer before giving its partitions to another member. A killed
   * process's partitions stay with it that long (kafkajs's default, 30 s); the chaos run uses the broker's
   * minimum, 6 s, so that partitions move on within seconds. @default 30_000
   */
  readonly sessionTimeoutMs?: number;
  /** kafkajs's own error lines (a broker restarting prints many) left out. @default false */
  readonly quiet?: boolean;
  /** Told when a reader's consumer crashed (the log replaces it on the next fetch). */
  readonly onReaderCrash?: (error: ReaderCrashedError) => void;
}

/** The partitioned log on a real Kafka broker, through kafkajs. */
export class KafkaLog implements PartitionedLog {
  readonly bootstrapServers: string;
  private readonly kafka: Kafka;
  private admin?: Promise<Admin>;
  private producer?: Promise<Producer>;
  private readonly readers = new Map<string, GroupReader>();
  private adminTurn: Promise<unknown> = Promise.resolve();
  private readonly partitionCounts = new Map<string, number>();
  private roundRobin = 0;

  constructor(
    brokers: readonly string[],
    clientId = "theworldshop-local",
    private readonly options: KafkaLogOptions = {},
  ) {
    if (brokers.length === 0) throw new RangeError("KafkaLog needs at least one broker");
    this.bootstrapServers = brokers.join(",");
    const level = options.quiet ? logLevel.NOTHING : logLevel.ERROR;
    this.kafka = new Kafka({ clientId, brokers: [...brokers], logLevel: level });
  }

  async ensureTopic(topic: string, partitions: number): Promise<void> {
    await this.withAdmin((admin) => createReadyTopics(admin, [topic], partitions));
  }

  async partitionCount(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    const metadata = await this.withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] }));
    const count = metadata.topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new UnknownTopicPartitionError(`Kafka topic ${topic} does not exist`);
    this.partitionCounts.set(topic, count);
    return count;
  }

  async produce(topic: string, records: readonly ProducedRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return [];
    const partitions = await this.partitionCount(topic);
    const placed = records.map((record) => ({
      record,
      partition:
        record.partition ??
        (record.key === null ? this.roundRobin++ % partitions : partitionForKey(record.key, partitions)),
    }));
    const producer = await this.producerClient();
    const metadata = await producer.send({
      topic,
      acks: -1,
      messages: placed.map(({ record, partition }) => ({
        key: record.key,
        value: record.value,
        partition,
        timestamp: String(record.timestamp ?? Date.now()),
        headers: { ...record.headers },
      })),
    });
    const nextOffset = new Map(metadata.map((entry) => [entry.partition, Number(entry.baseOffset)]));
    return placed.map(({ partition }) => {
      const offset = nextOffset.get(partition) ?? 0;
      nextOffset.set(partition, offset + 1);
      return { partition, offset };
    });
  }

  fetch(request: FetchRequest): Promise<LogRecord[]> {
    return this.reader(request.group, request.topic).fetch(request);
  }

  commit(group: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    return this.reader(group, topic).commit(partition, nextOffset);
  }

  async committed(group: string, topic: string, partition: number): Promise<number | undefined> {
    const [offsets] = await this.withAdmin((admin) =>
      admin.fetchOffsets({ groupId: group, topics: [topic] }),
    );
    const offset = Number(offsets?.partitions.find((entry) => entry.partition === partition)?.offset ?? -1);
    return offset < 0 ? undefined : offset;
  }

  async beginningOffsets(topic: string): Promise<number[]> {
    return this.offsets(topic, "low");
  }

  async endOffsets(topic: string): Promise<number[]> {
    return this.offsets(topic, "high");
  }

  async release(group: string): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const [key, reader] of this.readers) {
      if (!key.startsWith(`${group}\u0000`)) continue;
      this.readers.delete(key);
      stopping.push(reader.stop());
    }
    await Promise.all(stopping);
  }

  async close(): Promise<void> {
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.allSettled(readers.map((reader) => reader.stop()));
    await Promise.allSettled([
      this.admin?.then((admin) => admin.disconnect()),
      this.producer?.then((producer) => producer.disconnect()),
    ]);
  }

  private async offsets(topic: string, side: "low" | "high"): Promise<number[]> {
    const offsets = await this.withAdmin((admin) => admin.fetchTopicOffsets(topic));
    const result: number[] = [];
    for (const entry of offsets) result[entry.partition] = Number(entry[side]);
    return result;
  }

  private reader(group: string, topic: string): GroupReader {
    const key = `${group}\u0000${topic}`;
    let reader = this.readers.get(key);
    if (!reader) {
      const consumer = this.kafka.consumer({
        groupId: group,
        maxWaitTimeInMs: 100,
        ...(this.options.sessionTimeoutMs
          ? {
              sessionTimeout: this.options.sessionTimeoutMs,
              heartbeatInterval: Math.max(500, Math.floor(this.options.sessionTimeoutMs / 6)),
            }
          : {}),
        allowAutoTopicCreation: false,
        // Never true: a crashed reader is replaced (GroupReader); a kafkajs restart timer would outlive the
        // disconnect below and bring back a consumer nobody reads from.
        retry: { retries: 8, restartOnFailure: async () => false },
      });
      // A reader whose consumer crashed, or could not join its group, is dropped: the next fetch tries afresh.
      const drop = () => {
        if (this.readers.get(key) === created) this.readers.delete(key);
        void consumer.disconnect().catch(() => {});
      };
      const created = new GroupReader(consumer, group, topic, (error) => {
        drop();
        this.options.onReaderCrash?.(error);
      });
      created.ready.catch(drop);
      reader = created;
      this.readers.set(key, reader);
    }
    return reader;
  }

  /**
   * Runs one admin call at a time. kafkajs's admin keeps one cached cluster metadata that every call reads, and
   * `fetchTopicMetadata({ topics: [b] })` replaces it with topic b's alone (the cluster's `metadata()` refreshes
   * with just the topics asked for). A `fetchTopicOffsets(a)` running then finds no leader for a between its
   * high and low lookups and fails with "Cannot destructure property 'partitions' of 'low.pop(...)'". The
   * mapping asks for partition counts, committed offsets and beginning offsets of several topics at once, so
   * every admin call of this log, not only the offsets ones, waits its turn.
   */
  private withAdmin<T>(call: (admin: Admin) => Promise<T>): Promise<T> {
    const turn = this.adminTurn.then(async () => call(await this.adminClient()));
    this.adminTurn = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private adminClient(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  private producerClient(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }
}
