import type { Consumer } from "../shared/engine/types";
import type { OrdersConfig } from "./config";
import { MINUTE_KEY_PREFIX, minuteOf, minuteShardKey, SELLER_PART_KEY_PREFIX, sellerPartKey } from "./keys";
import { countOrder, type MinuteCounts } from "./minute-counts";
import { type OrderEvent, orderEventSchema } from "./schema";
import { evaluateSeller, type SellerPart, sellerSharedKeys } from "./seller-window";

/** A state of the orders consumer: a minute counter shard or a seller window's part, told apart by the key. */
export type OrdersState = MinuteCounts | SellerPart;

/** Thrown when the engine hands the reducer a key that `stateKeys` never returns. */
export class UnknownOrdersKeyError extends Error {
  constructor(key: string) {
    super(`the orders consumer has no state key ${JSON.stringify(key)}`);
    this.name = "UnknownOrdersKeyError";
  }
}

/**
 * `theworldshop.orders`: each record counts into its partition's shard of its event-time minute
 * (orders per minute) and into its partition's part of its seller's window (seller cancellation rate), which
 * it evaluates with the seller's other parts and breach flag (shared keys).
 */
export const ordersConsumer: Consumer<OrderEvent, OrdersState, OrdersConfig> = {
  name: "orders",
  schema: orderEventSchema,
  stateKeys: (record) => [
    minuteShardKey(minuteOf(record.value.eventTime), record.partition),
    sellerPartKey(record.value.sellerId, record.partition),
  ],
  // Only the seller's part reads beyond itself; a minute shard is its partition's alone.
  sharedKeys: (key, record, config) =>
    key.startsWith(SELLER_PART_KEY_PREFIX)
      ? sellerSharedKeys(record.value.sellerId, record.partition, config)
      : [],
  reduce(key, state, record, config, shared) {
    // The key says which kind of state it holds; stateKeys is the only source of keys.
    if (key.startsWith(MINUTE_KEY_PREFIX)) return countOrder(state as MinuteCounts | undefined, record);
    if (key.startsWith(SELLER_PART_KEY_PREFIX))
      return evaluateSeller(state as SellerPart | undefined, record, config, shared);
    throw new UnknownOrdersKeyError(key);
  },
};
