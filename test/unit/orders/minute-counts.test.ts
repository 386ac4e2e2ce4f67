import { describe, expect, it } from "vitest";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { expiresAfter, minuteOf, minuteShardKey, sellerPartKey } from "../../../functions/orders/keys";
import type { MinuteCounts } from "../../../functions/orders/minute-counts";
import { orderEvent, orderRecord } from "../../support/orders";

const config = { cancellationRate: 0.2, minimumPlaced: 10, lateMinutes: 5, partitions: 4 };

describe("orders per minute", () => {
  it("truncates event times to the minute, UTC", () => {
    expect(minuteOf("2026-11-20T23:03:59.999Z")).toBe(Date.parse("2026-11-20T23:03:00.000Z"));
    expect(minuteOf("2026-11-20T23:03:00.000Z")).toBe(Date.parse("2026-11-20T23:03:00.000Z"));
    expect(minuteOf("2026-11-20T23:02:59.999999Z")).toBe(Date.parse("2026-11-20T23:02:00.000Z"));
    expect(minuteOf("1969-12-31T23:59:30.000Z")).toBe(Date.parse("1969-12-31T23:59:00.000Z"));
  });

  it("updates the partition's shard of the record's minute and its part of the seller's window", () => {
    const record = orderRecord(
      orderEvent({ sellerId: "S-42", eventTime: "2026-11-20T23:03:12.345Z" }),
      3,
      17,
    );

    const keys = ordersConsumer.stateKeys(record, config);

    expect(keys).toEqual(["minute#2026-11-20T23:03:00.000Z#p3", "sellerPart#p3#S-42"]);
    expect(keys).toEqual([minuteShardKey(minuteOf(record.value.eventTime), 3), sellerPartKey("S-42", 3)]);
    // The rule reads, and never fences, the seller's breach and its other partitions' parts; the minute, nothing.
    expect(ordersConsumer.sharedKeys?.(keys[1]!, record, config)).toEqual([
      "sellerBreach#S-42",
      "sellerPart#p0#S-42",
      "sellerPart#p1#S-42",
      "sellerPart#p2#S-42",
    ]);
    // A record of a partition beyond the setting still reads the parts below it.
    const beyond = orderRecord(orderEvent({ sellerId: "S-42" }), 5, 0);
    expect(ordersConsumer.sharedKeys?.(sellerPartKey("S-42", 5), beyond, config)).toHaveLength(6);
    expect(ordersConsumer.sharedKeys?.(keys[0]!, record, config)).toEqual([]);
  });

  it("counts placed and cancelled orders and the placed revenue per currency", () => {
    const events = [
      orderEvent({ orderId: "O-1", amount: { value: 1250, currency: "EUR" } }),
      orderEvent({
        orderId: "O-2",
        amount: { value: 999, currency: "USD" },
        eventTime: "2026-11-20T23:03:59.999Z",
      }),
      orderEvent({
        orderId: "O-3",
        amount: { value: 50, currency: "EUR" },
        eventTime: "2026-11-20T23:03:00.000Z",
      }),
      orderEvent({ orderId: "O-1", type: "ORDER_CANCELLED", amount: { value: 1250, currency: "EUR" } }),
    ];
    const key = "minute#2026-11-20T23:03:00.000Z#p2";

    let state: MinuteCounts | undefined;
    let expiresAt: number | undefined;
    events.forEach((event, offset) => {
      const reduction = ordersConsumer.reduce(key, state, orderRecord(event, 2, offset), config);
      state = reduction.state as MinuteCounts;
      expiresAt = reduction.expiresAt;
    });

    expect(state).toEqual({
      minute: "2026-11-20T23:03:00.000Z",
      partition: 2,
      placed: 3,
      cancelled: 1,
      revenue: { EUR: 1300, USD: 999 },
    });
    expect(expiresAt).toBe(Date.parse("2026-11-20T23:04:00.000Z") / 1000 + 48 * 3600);
    expect(expiresAt).toBe(expiresAfter(Date.parse("2026-11-20T23:03:00.000Z")));
  });

  it("produces no alerts from the minute counter", () => {
    const reduction = ordersConsumer.reduce(
      "minute#2026-11-20T23:03:00.000Z#p0",
      undefined,
      orderRecord(orderEvent({ type: "ORDER_CANCELLED" })),
      config,
    );
    expect(reduction.alerts ?? []).toEqual([]);
    expect(reduction.state).toMatchObject({ placed: 0, cancelled: 1, revenue: {} });
  });

  it("refuses a key it never hands out", () => {
    expect(() => ordersConsumer.reduce("hour#x", undefined, orderRecord(orderEvent()), config)).toThrow(
      /no state key "hour#x"/,
    );
  });
});
