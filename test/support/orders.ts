import type { OrderEvent, OrderEventType } from "../../functions/orders/schema";
import type { ConsumerRecord } from "../../functions/shared/engine/types";

export const ORDERS_TOPIC = "theworldshop.orders";

/** An order event of seller S-1 placed at 2026-11-20T23:03:12Z for 12.50 EUR, with the given changes. */
export function orderEvent(changes: Partial<OrderEvent> = {}): OrderEvent {
  const orderId = changes.orderId ?? "O-1";
  const type: OrderEventType = changes.type ?? "ORDER_PLACED";
  return {
    eventId: `${orderId}-${type}`,
    type,
    orderId,
    sellerId: "S-1",
    customerId: "C-1",
    amount: { value: 1250, currency: "EUR" },
    eventTime: "2026-11-20T23:03:12.000Z",
    ...changes,
  };
}

/** The event as the engine hands it to a reducer, at the given partition and offset. */
export function orderRecord(value: OrderEvent, partition = 0, offset = 0): ConsumerRecord<OrderEvent> {
  return {
    topic: ORDERS_TOPIC,
    partition,
    offset,
    key: value.orderId,
    value,
    timestamp: Date.parse(value.eventTime),
    headers: {},
  };
}
