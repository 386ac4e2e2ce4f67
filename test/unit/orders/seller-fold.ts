import type { OrdersConfig } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { sellerBreachKey, sellerPartKey } from "../../../functions/orders/keys";
import type { OrderEvent } from "../../../functions/orders/schema";
import type { SellerBreach, SellerPart } from "../../../functions/orders/seller-window";
import type { Alert } from "../../../functions/shared/engine/types";
import { orderEvent, orderRecord } from "../../support/orders";
import { reduceInto } from "../../support/shared-reduce";

export const DEFAULTS: OrdersConfig = {
  cancellationRate: 0.2,
  minimumPlaced: 10,
  lateMinutes: 5,
  partitions: 3,
};

/**
 * Folds the events, in order, through the orders consumer's seller window of their seller: its part of the
 * partition they are on (0 unless given), the seller's other parts and its breach.
 */
export function foldSeller(
  events: readonly OrderEvent[],
  config: OrdersConfig = DEFAULTS,
  partitionOf: (index: number) => number = () => 0,
) {
  const states = new Map<string, unknown>();
  const alerts: Alert[] = [];
  const offsets = new Map<number, number>();
  events.forEach((event, index) => {
    const partition = partitionOf(index);
    const offset = offsets.get(partition) ?? 0;
    offsets.set(partition, offset + 1);
    const record = orderRecord(event, partition, offset);
    const reduction = reduceInto(
      ordersConsumer,
      sellerPartKey(event.sellerId, partition),
      record,
      config,
      states,
    );
    alerts.push(...(reduction.alerts ?? []));
  });
  const sellerId = events[0]!.sellerId;
  const breach = states.get(sellerBreachKey(sellerId)) as SellerBreach | undefined;
  return {
    /** The part of partition 0. */
    state: states.get(sellerPartKey(sellerId, 0)) as SellerPart,
    inBreach: breach?.inBreach ?? false,
    alerts,
    states,
  };
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
