import { Notifier, waitForBatch } from "./batch-wait";
import type { FetchRequest, LogRecord, PartitionedLog, ProducedRecord, RecordPosition } from "./log";
import { partitionForKey } from "./murmur2";

/** Thrown for a topic that does not exist or a partition out of range. */
export class UnknownTopicPartitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownTopicPartitionError";
  }
}

interface Partition {
  readonly records: LogRecord[];
  readonly appended: Notifier;
}

/**
 * The in-process partitioned log: Kafka's data model and default partitioner without a broker, for
 * `--embedded` runs, fast replays and the event source mapping's tests.
 */
export class MemoryLog implements PartitionedLog {
  readonly bootstrapServers = "embedded:9092";
  private readonly topics = new Map<string, Partition[]>();
  private readonly offsets = new Map<string, number>();
  private roundRobin = 0;

  async ensureTopic(topic: string, partitions: number): Promise<void> {
    if (this.topics.has(topic)) return;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(`${topic}: partitions must be a positive integer, got ${partitions}`);
    }
    this.topics.set(
      topic,
      Array.from({ length: partitions }, () => ({ records: [], appended: new Notifier() })),
    );
  }

  async partitionCount(topic: string): Promise<number> {
    return this.partitionsOf(topic).length;
  }

  async produce(topic: string, records: readonly ProducedRecord[]): Promise<RecordPosition[]> {
    const partitions = this.partitionsOf(topic);
    const touched = new Set<Partition>();
    const positions = records.map((record) => {
      const partition = record.partition ?? this.place(record.key, partitions.length);
      const target = partitions[partition];
      if (!target) throw new UnknownTopicPartitionError(`${topic} has no partition ${partition}`);
      const offset = target.records.length;
      target.records.push({
        topic,
        partition,
        offset,
        key: record.key,
        value: record.value,
        timestamp: record.timestamp ?? Date.now(),
        headers: { ...record.headers },
      });
      touched.add(target);
      return { partition, offset };
    });
    for (const partition of touched) partition.appended.notify();
    return positions;
  }

  async fetch(request: FetchRequest): Promise<LogRecord[]> {
    const target = this.partitionOf(request.topic, request.partition);
    const available = () => Math.max(0, target.records.length - request.fromOffset);
    await waitForBatch(available, target.appended, request.max, request.maxWaitMs, request.signal);
    return target.records.slice(request.fromOffset, request.fromOffset + request.max);
  }

  async commit(group: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    this.partitionOf(topic, partition);
    this.offsets.set(offsetKey(group, topic, partition), nextOffset);
  }

  async committed(group: string, topic: string, partition: number): Promise<number | undefined> {
    return this.offsets.get(offsetKey(group, topic, partition));
  }

  async beginningOffsets(topic: string): Promise<number[]> {
    return this.partitionsOf(topic).map(() => 0);
  }

  async endOffsets(topic: string): Promise<number[]> {
    return this.partitionsOf(topic).map((partition) => partition.records.length);
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {}

  private place(key: string | null, partitions: number): number {
    // Kafka spreads keyless records over the partitions; a round robin is the deterministic equivalent.
    if (key === null) return this.roundRobin++ % partitions;
    return partitionForKey(key, partitions);
  }

  private partitionsOf(topic: string): Partition[] {
    const partitions = this.topics.get(topic);
    if (!partitions) throw new UnknownTopicPartitionError(`no topic ${topic} in the embedded log`);
    return partitions;
  }

  private partitionOf(topic: string, partition: number): Partition {
    const target = this.partitionsOf(topic)[partition];
    if (!target) throw new UnknownTopicPartitionError(`${topic} has no partition ${partition}`);
    return target;
  }
}

function offsetKey(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}
