import type { Consumer } from "../shared/engine/types";
import { type Availability, reduceAvailability } from "./availability";
import type { InventoryConfig } from "./config";
import { type InventoryValue, inventoryValueSchema } from "./schema";
import { stockIndexAttributes } from "./stock-index";

/** Storefront availability and stock alerts from `theworldshop.inventory`, one state per product. */
export const inventoryConsumer: Consumer<InventoryValue, Availability, InventoryConfig> = {
  name: "inventory",
  schema: inventoryValueSchema,
  // The value's productId, not the Kafka key: a producer that forgets the key still updates the right product.
  stateKeys: (record) => [record.value.productId],
  reduce: (_productId, state, record, config) => {
    const reduction = reduceAvailability(state, record, config);
    // Every reduction, stale ones included, restates the index attributes: the engine drops omitted ones.
    return { ...reduction, indexAttributes: stockIndexAttributes(reduction.state) };
  },
};
