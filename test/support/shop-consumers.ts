import { cardVelocityConsumer } from "../../functions/card-velocity/consumer";
import { inventoryConsumer } from "../../functions/inventory/consumer";
import { ordersConsumer } from "../../functions/orders/consumer";
import { sessionsConsumer } from "../../functions/sessions/consumer";
import type { DeliveredRecord } from "../../functions/shared/engine/decode";
import type { Consumer } from "../../functions/shared/engine/types";

/** One of the four shop consumers, with its topic, handler entry and a valid value at any event time. */
export interface ShopConsumer {
  readonly name: string;
  readonly topic: string;
  readonly entry: string;
  readonly consumer: Consumer<unknown, unknown, unknown>;
  /** A value its schema accepts; `n` varies ids so that values do not repeat. */
  valid(eventTime: string, n?: number): Record<string, unknown>;
}

export const SHOP_CONSUMERS: readonly ShopConsumer[] = [
  {
    name: "inventory",
    topic: "theworldshop.inventory",
    entry: "functions/inventory/handler.ts",
    consumer: inventoryConsumer as Consumer<unknown, unknown, unknown>,
    valid: (eventTime, n = 0) => ({
      eventId: `inv-${n}`,
      productId: `P-${n % 7}`,
      quantity: 5 + (n % 40),
      eventTime,
    }),
  },
  {
    name: "cardVelocity",
    topic: "theworldshop.fraud-signals",
    entry: "functions/card-velocity/handler.ts",
    consumer: cardVelocityConsumer as Consumer<unknown, unknown, unknown>,
    valid: (eventTime, n = 0) => ({
      eventId: `fs-${n}`,
      transactionId: `tx-${n}`,
      orderId: `O-${n}`,
      cardFingerprint: `fp_card_${n % 3}_000001`,
      amount: { value: 4999, currency: "EUR" },
      eventTime,
    }),
  },
  {
    name: "orders",
    topic: "theworldshop.orders",
    entry: "functions/orders/handler.ts",
    consumer: ordersConsumer as Consumer<unknown, unknown, unknown>,
    valid: (eventTime, n = 0) => ({
      eventId: `ord-${n}`,
      type: n % 4 === 3 ? "ORDER_CANCELLED" : "ORDER_PLACED",
      orderId: `O-${n}`,
      sellerId: `S-${n % 2}`,
      customerId: `C-${n}`,
      amount: { value: 1250, currency: "EUR" },
      eventTime,
    }),
  },
  {
    name: "sessions",
    topic: "theworldshop.clicks",
    entry: "functions/sessions/handler.ts",
    consumer: sessionsConsumer as Consumer<unknown, unknown, unknown>,
    valid: (eventTime, n = 0) => ({ eventId: `clk-${n}`, userId: `U-${n % 3}`, page: `/p/${n}`, eventTime }),
  },
];

/** A record of `topic` as the decode step delivers it, with its event key and a Kafka timestamp. */
export function deliveredRecord(
  topic: string,
  rawValue: string | null,
  changes: Partial<DeliveredRecord> = {},
): DeliveredRecord {
  const partition = changes.partition ?? 0;
  return {
    topic,
    partition,
    offset: 0,
    key: "k-1",
    rawValue,
    timestamp: Date.parse("2026-11-20T23:03:12.000Z"),
    headers: {},
    eventKey: `${changes.topic ?? topic}-${partition}`,
    ...changes,
  };
}
