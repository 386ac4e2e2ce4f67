import { describe, expect, it } from "vitest";
import { validateRecord } from "../../../functions/shared/engine/validate";
import { deliveredRecord, SHOP_CONSUMERS } from "../../support/shop-consumers";

const KAFKA_TIME = "2026-11-20T23:03:12.000Z";
const timestamp = Date.parse(KAFKA_TIME);
const HOUR_MS = 3_600_000;

describe("plausible event times, on every consumer", () => {
  for (const shop of SHOP_CONSUMERS) {
    const boundary = { topic: shop.topic, maxEventTimeAheadMs: HOUR_MS };
    const at = (eventTime: string) =>
      validateRecord(
        shop.consumer,
        deliveredRecord(shop.topic, JSON.stringify(shop.valid(eventTime))),
        boundary,
      );

    it(`${shop.name}: rejects an eventTime in the year 9999, naming it and the Kafka timestamp`, () => {
      expect(at("9999-12-31T23:59:59.999Z")).toEqual({
        ok: false,
        reason: `eventTime 9999-12-31T23:59:59.999Z is more than 60 minutes ahead of the Kafka timestamp ${KAFKA_TIME}`,
      });
    });

    it(`${shop.name}: rejects an eventTime in 1999, naming it and the Kafka timestamp`, () => {
      expect(at("1999-12-31T23:59:59.000Z")).toEqual({
        ok: false,
        reason: `eventTime 1999-12-31T23:59:59.000Z is before 2000-01-01T00:00:00.000Z (Kafka timestamp ${KAFKA_TIME})`,
      });
    });

    it(`${shop.name}: accepts an eventTime up to the bound ahead, and any time since 2000 behind`, () => {
      expect(at(new Date(timestamp + HOUR_MS).toISOString())).toMatchObject({ ok: true });
      expect(at("2000-01-01T00:00:00.000Z")).toMatchObject({ ok: true });
      expect(at(new Date(timestamp + HOUR_MS + 1).toISOString())).toMatchObject({ ok: false });
    });
  }

  it("uses the configured bound", () => {
    const shop = SHOP_CONSUMERS[0]!;
    const value = JSON.stringify(shop.valid(new Date(timestamp + 10 * 60_000 + 1).toISOString()));

    const validation = validateRecord(shop.consumer, deliveredRecord(shop.topic, value), {
      maxEventTimeAheadMs: 10 * 60_000,
    });

    expect(validation).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/more than 10 minutes ahead/),
    });
  });

  it("rejects a record with no Kafka timestamp to check its eventTime against", () => {
    const shop = SHOP_CONSUMERS[0]!;
    const record = deliveredRecord(shop.topic, JSON.stringify(shop.valid(KAFKA_TIME)), { timestamp: -1 });

    expect(validateRecord(shop.consumer, record, { maxEventTimeAheadMs: HOUR_MS })).toEqual({
      ok: false,
      reason: `eventTime ${KAFKA_TIME} cannot be checked: the record has no Kafka timestamp (-1)`,
    });
  });
});

describe("the topic check", () => {
  const shop = SHOP_CONSUMERS.find((s) => s.name === "inventory")!;
  const value = JSON.stringify(shop.valid(KAFKA_TIME));
  const boundary = { topic: shop.topic, maxEventTimeAheadMs: HOUR_MS };

  it("rejects a record of another topic than the consumer's, naming both", () => {
    const record = deliveredRecord("theworldshop.orders", value);

    expect(validateRecord(shop.consumer, record, boundary)).toEqual({
      ok: false,
      reason: "topic theworldshop.orders is not this consumer's topic theworldshop.inventory",
    });
  });

  it("rejects a record whose topic or partition disagrees with its event's topic-partition key", () => {
    const elsewhere = deliveredRecord(shop.topic, value, { eventKey: "theworldshop.orders-0" });
    const otherPartition = deliveredRecord(shop.topic, value, { partition: 3, eventKey: `${shop.topic}-2` });

    expect(validateRecord(shop.consumer, elsewhere, boundary)).toEqual({
      ok: false,
      reason: "topic theworldshop.inventory partition 0 disagrees with its event key theworldshop.orders-0",
    });
    expect(validateRecord(shop.consumer, otherPartition, boundary)).toEqual({
      ok: false,
      reason:
        "topic theworldshop.inventory partition 3 disagrees with its event key theworldshop.inventory-2",
    });
  });

  it("accepts a record of the consumer's topic under its own key", () => {
    expect(validateRecord(shop.consumer, deliveredRecord(shop.topic, value), boundary)).toMatchObject({
      ok: true,
    });
  });
});
