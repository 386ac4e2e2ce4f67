import type { MSKEvent, SelfManagedKafkaEvent } from "aws-lambda";
import type { RecordCoordinates } from "./types";

/** A Kafka record as delivered, before validation: value text or null for a tombstone. */
export interface DeliveredRecord extends RecordCoordinates {
  /** The key as UTF-8 text; null when the record has none or its bytes are not valid UTF-8 (see `undecodable`). */
  readonly key: string | null;
  /** The value as UTF-8 text; null for a tombstone or when its bytes are not valid UTF-8 (see `undecodable`). */
  readonly rawValue: string | null;
  /** The key's bytes as delivered, null when there is none: what a rejected message carries. @default the key's UTF-8 */
  readonly keyBytes?: Uint8Array | null;
  /** The value's bytes as delivered, null for a tombstone. @default the value's UTF-8 */
  readonly valueBytes?: Uint8Array | null;
  /** Set when the key or the value is not valid UTF-8: the record is rejected naming it, never repaired. */
  readonly undecodable?: "key" | "value";
  readonly timestamp: number;
  /** Header values as UTF-8 text; a value that is not valid UTF-8 is base64 of its bytes, named in `binaryHeaders`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The event's `topic-partition` key the record was delivered under; the engine checks it names the record's. */
  readonly eventKey?: string;
  /** Names of the headers whose value is base64 because their bytes are not valid UTF-8. @default none */
  readonly binaryHeaders?: readonly string[];
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

// Fatal: `Caf\xE9` and `Caf\xE8` must not both become `Caf\uFFFD` and merge into one seller.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or undefined when they are not valid UTF-8. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const bytesOf = (base64: string | null | undefined) =>
  base64 === undefined || base64 === null ? null : new Uint8Array(Buffer.from(base64, "base64"));

/**
 * Decodes an MSK (`aws:kafka`) or self-managed (`SelfManagedKafka`) event: records in offset order per
 * `topic-partition`, base64 key and value decoded as strict UTF-8, headers' byte arrays as text, a missing
 * key as null. Headers do not make a record undecodable: no consumer reads them, and Kafka headers are often
 * binary, so a non-UTF-8 header value travels as base64 and is listed in `binaryHeaders`.
 */
export function decodeKafkaEvent(event: KafkaEvent): DeliveredRecord[] {
  const decoded: DeliveredRecord[] = [];
  for (const [eventKey, records] of Object.entries(event.records ?? {}) as [string, EventRecord[]][]) {
    const inOrder = [...records].sort((a, b) => Number(a.offset) - Number(b.offset));
    for (const record of inOrder) {
      const headers: Record<string, string> = {};
      const binaryHeaders: string[] = [];
      for (const header of record.headers ?? []) {
        for (const [name, value] of Object.entries(header)) {
          if (!Array.isArray(value)) {
            headers[name] = String(value);
            continue;
          }
          const bytes = Uint8Array.from(value);
          const text = utf8OrUndefined(bytes);
          if (text === undefined) binaryHeaders.push(name);
          headers[name] = text ?? Buffer.from(bytes).toString("base64");
        }
      }
      const keyBytes = bytesOf(record.key);
      const valueBytes = bytesOf(record.value);
      const key = keyBytes === null ? null : utf8OrUndefined(keyBytes);
      const rawValue = valueBytes === null ? null : utf8OrUndefined(valueBytes);
      decoded.push({
        topic: record.topic,
        partition: Number(record.partition),
        offset: Number(record.offset),
        key: key ?? null,
        rawValue: rawValue ?? null,
        keyBytes,
        valueBytes,
        ...(key === undefined ? { undecodable: "key" as const } : {}),
        ...(key !== undefined && rawValue === undefined ? { undecodable: "value" as const } : {}),
        timestamp: Number(record.timestamp ?? 0),
        headers,
        eventKey,
        binaryHeaders,
      });
    }
  }
  return decoded;
}

/** The `topic-partition` name partial batch responses use for a partition. */
export const partitionName = (record: RecordCoordinates) => `${record.topic}-${record.partition}`;
