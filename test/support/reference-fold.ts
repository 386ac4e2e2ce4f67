import { holdsCardNumber } from "../../functions/shared/engine/card-screen";
import type { Alert, Consumer, ConsumerRecord, SideRecord } from "../../functions/shared/engine/types";
import type { RawKafkaRecord } from "../../local/kafka-event";
import { reduceInto } from "./shared-reduce";

/** What applying every record exactly once gives: the truth the engine's results are compared with. */
export interface ReferenceOutcome<S> {
  /** The final state per state key, shared keys included. */
  readonly states: ReadonlyMap<string, S>;
  /** Every alert, in the order the records raised them. */
  readonly alerts: readonly Alert[];
  /** Side records by table, then by `pk`: the last item written wins, as a Put does. */
  readonly sideRecords: ReadonlyMap<string, ReadonlyMap<string, Readonly<Record<string, unknown>>>>;
  /** Records that fail their schema, their state key or their reducer, as `topic:partition:offset`. */
  readonly rejected: readonly string[];
}

/**
 * An in-memory fold with no engine in it: each record once, in offset order per partition, through the
 * consumer's schema, `stateKeys` and `reduce`, shared keys as earlier records left them. Side records are keyed
 * by their item's `pk`.
 */
export function referenceFold<V, S, C>(
  consumer: Consumer<V, S, C>,
  config: C,
  records: readonly RawKafkaRecord[],
): ReferenceOutcome<S> {
  const states = new Map<string, unknown>();
  const alerts: Alert[] = [];
  const sideRecords = new Map<string, Map<string, Readonly<Record<string, unknown>>>>();
  const rejected: string[] = [];
  const ordered = [...records].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
  for (const raw of ordered) {
    const coordinates = `${raw.topic}:${raw.partition}:${raw.offset}`;
    const record = parse(consumer, raw);
    if (!record) {
      rejected.push(coordinates);
      continue;
    }
    let keys: readonly string[];
    try {
      keys = consumer.stateKeys(record, config);
    } catch {
      rejected.push(coordinates);
      continue;
    }
    let failed = false;
    for (const key of new Set(keys)) {
      try {
        const reduction = reduceInto(consumer, key, record, config, states);
        alerts.push(...(reduction.alerts ?? []));
        for (const side of reduction.records ?? []) putSideRecord(sideRecords, side);
      } catch {
        // A reducer that throws leaves that key's state as it was; the record is rejected.
        failed = true;
      }
    }
    if (failed) rejected.push(coordinates);
  }
  return { states: states as Map<string, S>, alerts, sideRecords, rejected };
}

function parse<V>(
  consumer: Consumer<V, unknown, unknown>,
  raw: RawKafkaRecord,
): ConsumerRecord<V> | undefined {
  const cardNumber = (text: string | null | undefined) => typeof text === "string" && holdsCardNumber(text);
  if (raw.value === null || cardNumber(raw.value) || cardNumber(raw.key)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw.value);
  } catch {
    return undefined;
  }
  const parsed = consumer.schema.safeParse(json);
  if (!parsed.success) return undefined;
  return {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    key: raw.key,
    value: parsed.data,
    timestamp: raw.timestamp ?? 0,
    headers: raw.headers ?? {},
  };
}

function putSideRecord(
  tables: Map<string, Map<string, Readonly<Record<string, unknown>>>>,
  side: SideRecord,
): void {
  const table = tables.get(side.table) ?? new Map<string, Readonly<Record<string, unknown>>>();
  table.set(String(side.item.pk), side.item);
  tables.set(side.table, table);
}
