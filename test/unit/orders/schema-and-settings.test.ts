import { describe, expect, it } from "vitest";
import {
  OrdersConfigError,
  ordersEnvironment,
  ordersSettingsFromEnv,
  ordersSettingsSchema,
} from "../../../functions/orders/config";
import { orderEventSchema } from "../../../functions/orders/schema";
import { orderEvent } from "../../support/orders";

describe("the order event schema", () => {
  it("accepts placed and cancelled orders", () => {
    expect(orderEventSchema.safeParse(orderEvent()).success).toBe(true);
    expect(orderEventSchema.safeParse(orderEvent({ type: "ORDER_CANCELLED" })).success).toBe(true);
  });

  it.each([
    ["an unknown event type", { type: "ORDER_SHIPPED" }],
    ["a negative amount", { amount: { value: -1, currency: "EUR" } }],
    ["a fractional amount", { amount: { value: 12.5, currency: "EUR" } }],
    ["a currency that is no ISO code", { amount: { value: 100, currency: "euro" } }],
    ["an event time with an offset", { eventTime: "2026-11-20T23:03:12+01:00" }],
    ["an event time that is no date", { eventTime: "2026-02-31T10:00:00Z" }],
    ["a missing seller", { sellerId: undefined }],
  ])("rejects %s", (_, changes) => {
    expect(orderEventSchema.safeParse({ ...orderEvent(), ...changes }).success).toBe(false);
  });
});

describe("the orders settings", () => {
  it("default to 20 %, 10 placed, 5 late minutes and 12 partitions", () => {
    expect(ordersSettingsSchema.parse(undefined)).toEqual({
      cancellationRate: 0.2,
      minimumPlaced: 10,
      lateMinutes: 5,
      partitions: 12,
    });
    expect(ordersSettingsFromEnv({})).toEqual(ordersSettingsSchema.parse({}));
  });

  it("round-trip through the functions' environment", () => {
    const settings = { cancellationRate: 0.35, minimumPlaced: 25, lateMinutes: 0, partitions: 6 };

    expect(ordersSettingsFromEnv(ordersEnvironment(settings))).toEqual(settings);
  });

  it("name the bad variable", () => {
    const read = () => ordersSettingsFromEnv({ ORDERS_CANCELLATION_RATE: "20%", ORDERS_PARTITIONS: "0" });

    expect(read).toThrow(OrdersConfigError);
    expect(read).toThrow(/ORDERS_CANCELLATION_RATE/);
    expect(read).toThrow(/ORDERS_PARTITIONS/);
  });
});
