import { describe, expect, it } from "vitest";
import { CANCELLING_SELLER, VIRAL_PRODUCT } from "../../../local/simulator/catalog";
import { type SimulatedRecord, TrafficSimulator } from "../../../local/simulator/traffic";

const start = Date.parse("2026-11-20T23:00:00.000Z");
const minutes = (n: number) => start + n * 60_000;
const simulate = (seed = 1, until = minutes(10)) => new TrafficSimulator({ seed, start }).eventsUntil(until);
const ofTopic = (records: readonly SimulatedRecord[], suffix: string) =>
  records.filter((r) => r.topic.endsWith(suffix));

describe("the TheWorldShop traffic simulator", () => {
  it("gives the same records for the same seed, however the time is sliced", () => {
    const whole = simulate(7);
    const sliced = new TrafficSimulator({ seed: 7, start });
    const pieces = [1, 2.5, 6, 10].flatMap((m) => sliced.eventsUntil(minutes(m)));
    expect(pieces).toEqual(whole);
    expect(simulate(8)).not.toEqual(whole);
  });

  it("keys every topic as the design says and stamps every value with eventId and eventTime", () => {
    const records = simulate();
    const keyField = {
      orders: "orderId",
      inventory: "productId",
      clicks: "userId",
      "fraud-signals": "cardFingerprint",
    };
    for (const [suffix, field] of Object.entries(keyField)) {
      const ofIt = ofTopic(records, suffix);
      expect(ofIt.length).toBeGreaterThan(100);
      for (const record of ofIt) {
        expect(record.key).toBe(record.value[field]);
        // A re-sent inventory snapshot keeps its event time and gets a later Kafka timestamp.
        expect(Date.parse(String(record.value.eventTime))).toBeLessThanOrEqual(record.timestamp);
        expect(record.value.eventId).toMatch(/^evt-\d+$/);
      }
    }
    expect(records.map((r) => r.timestamp)).toEqual(
      [...records.map((r) => r.timestamp)].sort((a, b) => a - b),
    );
  });

  it("sells the viral product out within minutes, stock only ever falling", () => {
    const snapshots = ofTopic(simulate(), "inventory").filter((r) => r.key === VIRAL_PRODUCT);
    // A re-sent snapshot repeats an earlier one's eventId: leave the repeats out.
    const fresh = snapshots.filter(
      (r, i) => snapshots.findIndex((s) => s.value.eventId === r.value.eventId) === i,
    );
    const quantities = fresh.map((r) => r.value.quantity as number);
    expect(quantities[0]).toBe(500);
    expect(quantities.at(-1)).toBe(0);
    expect(quantities).toEqual([...quantities].sort((a, b) => b - a));
    expect(Date.parse(String(fresh.at(-1)!.value.eventTime)) - start).toBeLessThan(5 * 60_000);
  });

  it("runs one card through more than five payments within 60 seconds and no other card", () => {
    const byCard = new Map<string, number[]>();
    for (const r of ofTopic(simulate(), "fraud-signals"))
      byCard.set(r.key, [...(byCard.get(r.key) ?? []), r.timestamp]);
    const busiest = [...byCard].map(([card, times]) => ({
      card,
      most: Math.max(...times.map((t) => times.filter((u) => u > t - 60_000 && u <= t).length)),
    }));
    expect(busiest.filter((c) => c.most > 5)).toHaveLength(1);
  });

  it("has one seller cancel about a quarter of its orders", () => {
    const orders = ofTopic(simulate(), "orders").filter((r) => r.value.sellerId === CANCELLING_SELLER);
    const placed = orders.filter((r) => r.value.type === "ORDER_PLACED").length;
    const cancelled = orders.filter((r) => r.value.type === "ORDER_CANCELLED").length;
    expect(cancelled / placed).toBeGreaterThan(0.18);
    expect(cancelled / placed).toBeLessThan(0.32);
  });

  it("never puts a run of digits that could be a card number in a payment", () => {
    for (const record of ofTopic(simulate(), "fraud-signals"))
      expect(JSON.stringify(record.value)).not.toMatch(/\d{13,}/);
  });
});
