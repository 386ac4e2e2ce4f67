import type { MSKEvent } from "aws-lambda";
import corpus from "../events/boundary-corpus.json";
import type { ShopConsumer } from "./shop-consumers";

/** A text as the corpus writes it: literal, `{ repeat, times }`, or a list of such parts. */
type TextSpec = string | { repeat: string; times: number } | TextSpec[];

/** One adversarial record of test/events/boundary-corpus.json (its description says what each field does). */
export interface CorpusEntry {
  readonly name: string;
  readonly class: string;
  readonly expect: Outcome | Readonly<Record<string, Outcome>>;
  readonly reason?: string;
  readonly valid?: Readonly<Record<string, TextSpec | null>>;
  readonly inject?: { readonly field: string; readonly json: TextSpec };
  readonly number?: string;
  readonly latin1?: Readonly<Record<string, string>>;
  readonly raw?: string;
  /** The whole value's bytes, one per character (Latin-1): NUL, 0xFF and other bytes that are not UTF-8 text. */
  readonly rawBytes?: TextSpec;
  readonly rawPrefix?: string;
  readonly rawSuffix?: string;
  readonly rawPrefixInObject?: string;
  readonly tombstone?: boolean;
  readonly key?: TextSpec | null;
  /** The key's bytes, one per character (Latin-1), instead of `key`'s UTF-8. */
  readonly keyBytes?: TextSpec;
  readonly headers?: Readonly<Record<string, string>>;
  readonly deliveredAs?: { readonly topic?: string; readonly eventKeyPartition?: number };
  /** What the rejected message (format 2) must hold, matched as a subset: encodings, truncation, masking. */
  readonly rejectedAs?: Readonly<Record<string, unknown>>;
}
export type Outcome = "applied" | "rejected";

export const CORPUS = corpus.records as unknown as readonly CorpusEntry[];
/** The Kafka timestamp of every corpus record, and the event time of its valid value. */
export const CORPUS_TIME = "2026-11-20T23:03:12.000Z";
/** Card numbers the corpus spells in its records: none may appear anywhere, in any spelling. */
export const CORPUS_CARDS = [
  "4111111111111111",
  "5555555555554444",
  "378282246310005",
  "6011111111111117",
  "4222222222222",
];

export function textOf(spec: TextSpec): string {
  if (typeof spec === "string") return spec;
  if (Array.isArray(spec)) return spec.map(textOf).join("");
  return spec.repeat.repeat(spec.times);
}

/** What the entry expects of `consumer`: every entry names its outcome for every consumer. */
export function expectedOutcome(entry: CorpusEntry, consumer: string): Outcome {
  const outcome = typeof entry.expect === "string" ? entry.expect : entry.expect[consumer];
  if (outcome === undefined) throw new Error(`corpus entry "${entry.name}" names no outcome for ${consumer}`);
  return outcome;
}

/** One record of a Kafka event as the event source mapping sends it, under the event key it goes in. */
export interface EventRecordSpec {
  readonly eventKey: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** The number field each consumer's schema knows, as the corpus's `number` entries fill it. */
const NUMBER_FIELD: Readonly<Record<string, (value: Record<string, unknown>) => string>> = {
  inventory: () => "quantity",
  orders: () => "amount.value",
  cardVelocity: () => "amount.value",
  sessions: () => "note",
};

const PLACEHOLDER = "@corpus@";

/** The entry as a record of `shop`'s topic at partition 0, `offset`. */
export function corpusRecord(entry: CorpusEntry, shop: ShopConsumer, offset: number): EventRecordSpec {
  const topic = entry.deliveredAs?.topic ?? shop.topic;
  const valid = shop.valid(CORPUS_TIME, offset);
  let value: Buffer | null;
  if (entry.tombstone) value = null;
  else if (entry.raw !== undefined) value = Buffer.from(entry.raw, "utf8");
  else if (entry.rawBytes !== undefined) value = Buffer.from(textOf(entry.rawBytes), "latin1");
  else if (entry.latin1) value = Buffer.from(JSON.stringify({ ...valid, ...entry.latin1 }), "latin1");
  else value = Buffer.from(valueText(entry, shop, valid), "utf8");
  const key = entry.key === undefined ? `k-${offset}` : entry.key === null ? null : textOf(entry.key);
  const keyBytes =
    entry.keyBytes !== undefined
      ? Buffer.from(textOf(entry.keyBytes), "latin1")
      : key === null
        ? null
        : Buffer.from(key, "utf8");
  const partitionKey = entry.deliveredAs?.eventKeyPartition ?? 0;
  return {
    eventKey: `${topic}-${partitionKey}`,
    topic,
    partition: 0,
    offset,
    key: keyBytes,
    value,
    headers: entry.headers ?? {},
  };
}

function valueText(entry: CorpusEntry, shop: ShopConsumer, valid: Record<string, unknown>): string {
  const merged: Record<string, unknown> = { ...valid };
  for (const [field, spec] of Object.entries(entry.valid ?? {}))
    merged[field] = spec === null ? null : textOf(spec);
  let text: string;
  const raw = entry.inject ? textOf(entry.inject.json) : entry.number;
  if (raw === undefined) text = JSON.stringify(merged);
  else {
    const path = entry.inject ? entry.inject.field : NUMBER_FIELD[shop.name]!(merged);
    const [field, inner] = path.split(".") as [string, string | undefined];
    if (inner) merged[field] = { ...(merged[field] as object), [inner]: PLACEHOLDER };
    else if (field === "__proto__")
      Object.defineProperty(merged, field, { value: PLACEHOLDER, enumerable: true });
    else merged[field] = PLACEHOLDER;
    text = JSON.stringify(merged).replace(`"${PLACEHOLDER}"`, () => raw);
  }
  if (entry.rawPrefixInObject) text = `{${entry.rawPrefixInObject}${text.slice(1)}`;
  return `${entry.rawPrefix ?? ""}${text}${entry.rawSuffix ?? ""}`;
}

/** An MSK event holding the records, each under its own event key, keys and values base64 as AWS sends them. */
export function mskEventOf(records: readonly EventRecordSpec[]): MSKEvent {
  const grouped: Record<string, unknown[]> = {};
  for (const record of records) {
    const group = grouped[record.eventKey] ?? [];
    grouped[record.eventKey] = group;
    group.push({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: Date.parse(CORPUS_TIME),
      timestampType: "CREATE_TIME",
      ...(record.key === null ? {} : { key: record.key.toString("base64") }),
      value: record.value === null ? null : record.value.toString("base64"),
      headers: Object.entries(record.headers).map(([name, text]) => ({
        [name]: [...Buffer.from(text, "utf8")],
      })),
    });
  }
  return {
    eventSource: "aws:kafka",
    eventSourceArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/shop/abc",
    bootstrapServers: "127.0.0.1:9092",
    records: grouped,
  } as unknown as MSKEvent;
}
