import type { MSKEvent, MSKRecord } from "aws-lambda";

/** A record as the local event source (or a test) hands it to Lambda, before base64 encoding. */
export interface RawKafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** The value bytes as text, or null for a tombstone. */
  readonly value: string | null;
  /** Epoch milliseconds; defaults to 0. */
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface KafkaEventSource {
  /** `aws:kafka` (MSK) or `SelfManagedKafka`. */
  readonly eventSource?: "aws:kafka" | "SelfManagedKafka";
  readonly eventSourceArn?: string;
  readonly bootstrapServers?: string;
}

/** A record of the event; `key` is absent when the Kafka record has none, as AWS sends it. */
export type KafkaEventRecord = Omit<MSKRecord, "key"> & { key?: string };

/**
 * Builds the event the Kafka event source mapping invokes Lambda with: records grouped under
 * `topic-partition`, in offset order, key and value base64, headers as arrays of byte values.
 */
export function buildKafkaEvent(records: readonly RawKafkaRecord[], source: KafkaEventSource = {}): MSKEvent {
  const eventSource = source.eventSource ?? "aws:kafka";
  const grouped: Record<string, KafkaEventRecord[]> = {};
  const sorted = [...records].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
  for (const record of sorted) {
    const group = `${record.topic}-${record.partition}`;
    const built: KafkaEventRecord = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp ?? 0,
      timestampType: "CREATE_TIME",
      value:
        record.value === null
          ? (null as unknown as string)
          : Buffer.from(record.value, "utf8").toString("base64"),
      headers: Object.entries(record.headers ?? {}).map(([name, text]) => ({
        [name]: [...Buffer.from(text, "utf8")],
      })),
    };
    if (record.key !== null) built.key = Buffer.from(record.key, "utf8").toString("base64");
    const batch = grouped[group] ?? [];
    batch.push(built);
    grouped[group] = batch;
  }
  const event = {
    eventSource,
    bootstrapServers: source.bootstrapServers ?? "127.0.0.1:9092",
    records: grouped,
  } as unknown as MSKEvent;
  if (eventSource === "aws:kafka") {
    (event as { eventSourceArn: string }).eventSourceArn =
      source.eventSourceArn ??
      "arn:aws:kafka:us-east-1:000000000000:cluster/theworldshop-local/00000000-0000-0000-0000-000000000000-1";
  }
  return event;
}
