import type { DeliveredRecord } from "./decode";
import type { Consumer, ConsumerRecord } from "./types";

export type Validation<V> = { ok: true; record: ConsumerRecord<V> } | { ok: false; reason: string };

const MAX_REASON = 500;

/** Screens, parses and schema-checks one delivered record; never throws. */
export function validateRecord<V>(
  consumer: Consumer<V, unknown, unknown>,
  delivered: DeliveredRecord,
): Validation<V> {
  const raw = delivered.rawValue;
  if (raw === null) return { ok: false, reason: "null value (tombstone): nothing to apply" };
  const screened = consumer.screen?.reject(raw);
  if (screened) return { ok: false, reason: screened };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { ok: false, reason: `bad JSON: ${(error as Error).message}`.slice(0, MAX_REASON) };
  }
  const parsed = consumer.schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "value"}: ${issue.message}`);
    return { ok: false, reason: `schema: ${issues.join("; ")}`.slice(0, MAX_REASON) };
  }
  const { rawValue: _raw, ...coordinates } = delivered;
  return { ok: true, record: { ...coordinates, value: parsed.data } };
}
