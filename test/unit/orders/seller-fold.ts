import type { OrdersConfig } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { sellerKey } from "../../../functions/orders/keys";
import type { OrderEvent } from "../../../functions/orders/schema";
import type { SellerWindow } from "../../../functions/orders/seller-window";
import type { Alert } from "../../../functions/shared/engine/types";
import { orderEvent, orderRecord } from "../../support/orders";

export const DEFAULTS: OrdersConfig = { cancellationRate: 0.2, minimumPlaced: 10, lateMinutes: 5 };

/** Folds the events, in order, through the orders consumer's seller window of their seller. */
export function foldSeller(events: readonly OrderEvent[], config: OrdersConfig = DEFAULTS) {
  let state: SellerWindow | undefined;
  const alerts: Alert[] = [];
  events.forEach((event, offset) => {
    const reduction = ordersConsumer.reduce(
      sellerKey(event.sellerId),
      state,
      orderRecord(event, 0, offset),
      config,
    );
    state = reduction.state as SellerWindow;
    alerts.push(...(reduction.alerts ?? []));
  });
  return { state: state!, alerts };
}

let sequence = 0;

/** `count` orders of seller S-1 of one type at `eventTime`, with fresh order ids (or the given ones). */
export function orders(
  count: number,
  type: OrderEvent["type"],
  eventTime: string,
  orderIds?: readonly string[],
): OrderEvent[] {
  return Array.from({ length: count }, (_, index) => {
    sequence += 1;
    const orderId = orderIds?.[index] ?? `O-${sequence}`;
    return orderEvent({ orderId, type, eventTime, eventId: `E-${sequence}` });
  });
}
