import type { Availability } from "../../../functions/inventory/availability";
import type { InventoryConfig } from "../../../functions/inventory/config";
import { inventoryConsumer } from "../../../functions/inventory/consumer";
import type { InventoryValue } from "../../../functions/inventory/schema";
import type { Alert, ConsumerRecord } from "../../../functions/shared/engine/types";

export const TOPIC = "theworldshop.inventory";
export const DEFAULTS: InventoryConfig = { lowStockThreshold: 10, lowStockThresholds: {} };

let nextOffset = 0;

/** A stock snapshot of `productId` at `eventTime` as the engine hands it to the reducer. */
export function snapshot(
  quantity: number,
  eventTime: string,
  value: Partial<InventoryValue> = {},
  offset = nextOffset++,
): ConsumerRecord<InventoryValue> {
  const productId = value.productId ?? "P-123";
  return {
    topic: TOPIC,
    partition: 0,
    offset,
    key: productId,
    timestamp: 0,
    headers: {},
    value: { eventId: `e-${offset}`, productId, quantity, eventTime, ...value },
  };
}

/** Folds records through the consumer's reducer, as the engine does for one product. */
export function fold(
  records: readonly ConsumerRecord<InventoryValue>[],
  config: InventoryConfig = DEFAULTS,
  initial?: Availability,
): { state: Availability | undefined; alerts: Alert[] } {
  let state = initial;
  const alerts: Alert[] = [];
  for (const record of records) {
    const reduction = inventoryConsumer.reduce(record.value.productId, state, record, config);
    state = reduction.state;
    alerts.push(...(reduction.alerts ?? []));
  }
  return { state, alerts };
}
