import { alertIdOf } from "../shared/alert-id";
import type { Alert, ConsumerRecord, RecordCoordinates, Severity } from "../shared/engine/types";
import type { Availability, StockAlertType, StockStatus } from "./availability";
import type { InventoryValue } from "./schema";

const SEVERITY: Readonly<Record<StockAlertType, Severity>> = {
  OUT_OF_STOCK: "critical",
  LOW_STOCK: "warning",
  BACK_IN_STOCK: "info",
};

export interface StockChange {
  readonly previousStatus: StockStatus | undefined;
  readonly availability: Availability;
  readonly threshold: number;
  readonly soldLast10Minutes: number;
}

/** Deterministic from the triggering record's coordinates, so a replay of the same input gives the same id. */
export function stockAlertId(
  alertType: StockAlertType,
  productId: string,
  record: RecordCoordinates,
): string {
  return alertIdOf(alertType, productId, [record.topic, record.partition, record.offset]);
}

/** The alert for a status change, with a message the person on call can act on. */
export function stockAlert(
  alertType: StockAlertType,
  record: ConsumerRecord<InventoryValue>,
  change: StockChange,
): Alert {
  const { value } = record;
  const { availability } = change;
  return {
    alertId: stockAlertId(alertType, value.productId, record),
    alertType,
    severity: SEVERITY[alertType],
    subjectId: value.productId,
    eventTime: value.eventTime,
    message: stockMessage(alertType, value.productId, change),
    details: {
      productId: value.productId,
      ...(availability.productName === undefined ? {} : { productName: availability.productName }),
      ...(value.warehouseId === undefined ? {} : { warehouseId: value.warehouseId }),
      quantity: availability.quantity,
      previousStatus: change.previousStatus ?? null,
      status: availability.status,
      threshold: change.threshold,
      soldLast10Minutes: change.soldLast10Minutes,
      asOf: availability.asOf,
      source: { topic: record.topic, partition: record.partition, offset: record.offset },
    },
  };
}

function stockMessage(alertType: StockAlertType, productId: string, change: StockChange): string {
  const { availability } = change;
  const product =
    availability.productName === undefined ? productId : `${productId} '${availability.productName}'`;
  const asOf = `as of ${new Date(availability.asOf).toISOString().slice(11, 19)} UTC`;
  const sold = `last 10 minutes sold ${change.soldLast10Minutes}`;
  switch (alertType) {
    case "OUT_OF_STOCK":
      return `${product} is out of stock ${asOf}; ${sold}`;
    case "LOW_STOCK":
      return `${product} is low on stock: ${availability.quantity} left (threshold ${change.threshold}) ${asOf}; ${sold}`;
    case "BACK_IN_STOCK":
      return `${product} is back in stock: ${availability.quantity} available ${asOf}`;
  }
}
