/**
 * The sparse index over products that are not IN_STOCK, by status and by when their stock was last reported.
 * Shared by the CDK that creates it on the availability table, the inventory reducer that sets its attributes
 * and the dashboard that lists low and sold-out products from it (no table scan).
 */
export const STOCK_ALERT_INDEX = {
  name: "stock-alert",
  /** String: `LOW_STOCK` or `OUT_OF_STOCK`; absent while the product is IN_STOCK, so it leaves the index. */
  partitionKey: "stockAlert",
  /** String: the availability's `asOf`, normalized ISO-8601 UTC, so the newest reports sort first. */
  sortKey: "stockAsOf",
  /** Number: the quantity left, projected so the dashboard needs no second read. */
  quantity: "stockQuantity",
  /** String: the product's name, when a snapshot gave one. */
  productName: "stockProductName",
} as const;

/** The statuses the index lists. */
export const INDEXED_STOCK_STATUSES = ["OUT_OF_STOCK", "LOW_STOCK"] as const;
export type IndexedStockStatus = (typeof INDEXED_STOCK_STATUSES)[number];

/** What the index needs of a product's availability (`{ quantity, status, asOf }` and its name). */
export interface StockIndexSource {
  readonly quantity: number;
  readonly status: string;
  readonly asOf: string;
  readonly productName?: string;
}

/**
 * The index attributes for a product's availability: set while LOW_STOCK or OUT_OF_STOCK, none while
 * IN_STOCK. Every reduction must return them (the engine removes attributes a reduction omits).
 */
export function stockIndexAttributes(availability: StockIndexSource): Record<string, string | number> {
  const status = availability.status as IndexedStockStatus;
  if (!INDEXED_STOCK_STATUSES.includes(status)) return {};
  return {
    [STOCK_ALERT_INDEX.partitionKey]: status,
    [STOCK_ALERT_INDEX.sortKey]: new Date(availability.asOf).toISOString(),
    [STOCK_ALERT_INDEX.quantity]: availability.quantity,
    ...(availability.productName === undefined
      ? {}
      : { [STOCK_ALERT_INDEX.productName]: availability.productName }),
  };
}
