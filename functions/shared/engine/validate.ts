import { cardNumberPath, maskCardText, rawCardNumberProblem } from "./card-screen";
import type { DeliveredRecord } from "./decode";
import { eventTimeProblem, type RecordBoundary, topicProblem } from "./plausible";
import type { Consumer, ConsumerRecord } from "./types";

export type Validation<V> = { ok: true; record: ConsumerRecord<V> } | { ok: false; reason: string };

const MAX_REASON = 500;

/**
 * Checks one delivered record at the engine's boundary, never throwing: its topic, card numbers in its key,
 * headers and value (as text and as parsed), JSON, the consumer's schema, a plausible event time.
 */
export function validateRecord<V>(
  consumer: Consumer<V, unknown, unknown>,
  delivered: DeliveredRecord,
  boundary: RecordBoundary,
): Validation<V> {
  // Masked too: a parser's message may quote part of the value.
  const fail = (reason: string): Validation<V> => ({
    ok: false,
    reason: maskCardText(reason.slice(0, MAX_REASON)).text,
  });
  const misfiled = topicProblem(delivered, boundary);
  if (misfiled) return fail(misfiled);
  const raw = delivered.rawValue;
  const cardInText = rawCardNumberProblem(delivered.key, delivered.headers, raw);
  if (cardInText) return fail(cardInText);
  if (raw === null) return fail("null value (tombstone): nothing to apply");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return fail(`bad JSON: ${(error as Error).message}`);
  }
  const cardAt = cardNumberPath(json);
  if (cardAt) return fail(`the value holds a card number at ${cardAt}`);
  const parsed = consumer.schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "value"}: ${issue.message}`);
    return fail(`schema: ${issues.join("; ")}`);
  }
  const implausible = eventTimeProblem(parsed.data, delivered.timestamp, boundary);
  if (implausible) return fail(implausible);
  const { rawValue: _raw, eventKey: _eventKey, ...coordinates } = delivered;
  return { ok: true, record: { ...coordinates, value: parsed.data } };
}
