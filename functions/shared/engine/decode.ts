import type { MSKEvent, SelfManagedKafkaEvent } from "aws-lambda";
import type { RecordCoordinates } from "./types";

/** A Kafka record as delivered, before validation: value text or null for a tombstone. */
export interface DeliveredRecord extends RecordCoordinates {
  readonly key: string | null;
  readonly rawValue: string | null;
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The event's `topic-partition` key the record was delivered under; the engine checks it names the record's. */
  readonly eventKey?: string;
}

export type KafkaEvent = MSKEvent | SelfManagedKafkaEvent;

interface EventRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key?: string | null;
  value?: string | null;
  headers?: Array<Record<string, number[] | string>>;
}

const text = (base64: string) => Buffer.from(base64, "base64").toString("utf8");

/**
 * Decodes an MSK (`aws:kafka`) or self-managed (`SelfManagedKafka`) event: records in offset order per
 * `topic-partition`, base64 key and value decoded, headers' byte arrays as text, a missing key as null.
 */
export function decodeKafkaEvent(event: KafkaEvent): DeliveredRecord[] {
  const decoded: DeliveredRecord[] = [];
  for (const [eventKey, records] of Object.entries(event.records ?? {}) as [string, EventRecord[]][]) {
    const inOrder = [...records].sort((a, b) => Number(a.offset) - Number(b.offset));
    for (const record of inOrder) {
      const headers: Record<string, string> = {};
      for (const header of record.headers ?? []) {
        for (const [name, bytes] of Object.entries(header)) {
          headers[name] = Array.isArray(bytes) ? Buffer.from(bytes).toString("utf8") : String(bytes);
        }
      }
      decoded.push({
        topic: record.topic,
        partition: Number(record.partition),
        offset: Number(record.offset),
        key: record.key === undefined || record.key === null ? null : text(record.key),
        rawValue: record.value === undefined || record.value === null ? null : text(record.value),
        timestamp: Number(record.timestamp ?? 0),
        headers,
        eventKey,
      });
    }
  }
  return decoded;
}

/** The `topic-partition` name partial batch responses use for a partition. */
export const partitionName = (record: RecordCoordinates) => `${record.topic}-${record.partition}`;
