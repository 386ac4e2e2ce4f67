import { describe, expect, it } from "vitest";
import { holdsCardNumber, maskRecordParts } from "../../../functions/shared/engine/card-screen";
import type { DeliveredRecord } from "../../../functions/shared/engine/decode";
import { validateRecord } from "../../../functions/shared/engine/validate";
import { deliveredRecord, SHOP_CONSUMERS } from "../../support/shop-consumers";

const CARD = "4111111111111111";
const EVENT_TIME = "2026-11-20T23:03:12.000Z";
const BOUNDARY = { maxEventTimeAheadMs: 3_600_000 };
const escaped = (text: string) => [...text].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join("");

type Spelling = (value: Record<string, unknown>) => Partial<DeliveredRecord> & { rawValue: string };
/** The value text with `text` (raw JSON) in place of its eventId string. */
const inEventId =
  (text: string): Spelling =>
  (value) => ({
    rawValue: JSON.stringify({ ...value, eventId: "@" }).replace('"@"', `"${text}"`),
  });
/** The value text with an extra field `note` whose raw JSON is `json`. */
const inNote =
  (json: string): Spelling =>
  (value) => ({
    rawValue: JSON.stringify(value).replace(/^\{/, `{"note":${json},`),
  });

const SPELLINGS: Record<string, Spelling> = {
  "digits in an id": inEventId(CARD),
  "the first digit as a JSON escape": inEventId(`\\u0034${CARD.slice(1)}`),
  "every digit as a JSON escape": inEventId(escaped(CARD)),
  "groups separated by spaces": inEventId("4111 1111 1111 1111"),
  "groups separated by dashes": inEventId("4111-1111-1111-1111"),
  "groups separated by dots": inEventId("4111.1111.1111.1111"),
  "separators as JSON escapes": inEventId("4111\\u00201111\\u002d1111\\u002e1111"),
  "glued into text": inEventId(`order-${CARD}-x`),
  "a JSON number": inNote(CARD),
  "a JSON number in exponent form": inNote("4.111111111111111e15"),
  "a JSON number with a fraction and an exponent": inNote("41111111.11111111e8"),
  "a JSON number whose written digits run past 19": inNote("0.0000004111111111111111e22"),
  "a JSON number in a field the schema knows": (value) => ({
    rawValue: JSON.stringify(value)
      .replace(/"(quantity|value)":\d+/, `"$1":4.111111111111111e15`)
      .replace(/^\{"eventId":"clk/, `{"note":4.111111111111111e15,"eventId":"clk`),
  }),
  "an object key": inNote(`{"${CARD}":true}`),
  "an escaped object key": inNote(`{"${escaped(CARD)}":true}`),
  "nested in arrays": inNote(`[[[1,["x","4111-1111-1111-1111"]]]]`),
  "nested in objects": inNote(`{"a":{"b":{"c":[{"d":"${CARD}"}]}}}`),
  "the record key": (value) => ({ rawValue: JSON.stringify(value), key: CARD }),
  "the record key, grouped": (value) => ({ rawValue: JSON.stringify(value), key: "4111 1111 1111 1111" }),
  "a header value": (value) => ({ rawValue: JSON.stringify(value), headers: { traceparent: CARD } }),
  "a header name": (value) => ({ rawValue: JSON.stringify(value), headers: { [CARD]: "x" } }),
  "escaped in a value that is not JSON": () => ({ rawValue: `{"eventId":"\\u0034${CARD.slice(1)}"` }),
  "a tombstone keyed by it": () => ({ rawValue: null as unknown as string, key: CARD }),
};

describe("the engine's card-number screen, on every consumer", () => {
  for (const shop of SHOP_CONSUMERS) {
    describe(shop.name, () => {
      it("accepts the clean value every spelling below starts from", () => {
        const record = deliveredRecord(shop.topic, JSON.stringify(shop.valid(EVENT_TIME)));

        expect(validateRecord(shop.consumer, record, BOUNDARY)).toMatchObject({ ok: true });
      });

      for (const [spelling, spell] of Object.entries(SPELLINGS)) {
        it(`rejects a card number as ${spelling}, with a reason free of it, and masks every part`, () => {
          const record = deliveredRecord(shop.topic, null, spell(shop.valid(EVENT_TIME)));

          const validation = validateRecord(shop.consumer, record, BOUNDARY);

          expect(validation.ok).toBe(false);
          const reason = validation.ok ? "" : validation.reason;
          expect(reason).toMatch(/card number/);
          expect(holdsCardNumber(reason)).toBe(false);
          expect(reason.replace(/\D/g, "")).not.toContain(CARD.slice(0, 12));
          const kept = maskRecordParts(record.key, record.rawValue, record.headers);
          expect(kept.masked).toBe(true);
          for (const part of [
            kept.key,
            kept.value,
            ...Object.keys(kept.headers),
            ...Object.values(kept.headers),
          ])
            expect(part === null || !holdsCardNumber(part), String(part)).toBe(true);
        });
      }
    });
  }

  it("says where in the value a card number sits that only the parsed value shows", () => {
    const shop = SHOP_CONSUMERS.find((s) => s.name === "orders")!;
    const raw = JSON.stringify(shop.valid(EVENT_TIME)).replace(
      '"value":1250',
      '"value":0.0000004111111111111111e22',
    );

    const validation = validateRecord(shop.consumer, deliveredRecord(shop.topic, raw), BOUNDARY);

    expect(validation).toEqual({ ok: false, reason: "the value holds a card number at amount.value" });
  });

  it("masks a card number in a value that is otherwise kept as sent", () => {
    const raw = `{"orderId":"\\u0034${CARD.slice(1)}","qty":3}`;

    const kept = maskRecordParts("O-1", raw, { source: "web" });

    expect(kept).toEqual({
      key: "O-1",
      value: '{"orderId":"************1111","qty":3}',
      headers: { source: "web" },
      masked: true,
    });
  });

  it("leaves a record without a card number as it is", () => {
    const raw = '{"orderId":"4111111111111112","eventTime":"2026-11-20T23:03:12.000Z"}';

    expect(maskRecordParts("O-1", raw, { source: "web" })).toEqual({
      key: "O-1",
      value: raw,
      headers: { source: "web" },
      masked: false,
    });
  });
});
