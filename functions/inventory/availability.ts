import type { Alert, ConsumerRecord, Reduction } from "../shared/engine/types";
import { stockAlert } from "./alerts";
import { type InventoryConfig, lowStockThresholdOf } from "./config";
import type { InventoryValue } from "./schema";

export const STOCK_STATUS = {
  inStock: "IN_STOCK",
  lowStock: "LOW_STOCK",
  outOfStock: "OUT_OF_STOCK",
} as const;
export type StockStatus = (typeof STOCK_STATUS)[keyof typeof STOCK_STATUS];

export const STOCK_ALERT = {
  lowStock: "LOW_STOCK",
  outOfStock: "OUT_OF_STOCK",
  backInStock: "BACK_IN_STOCK",
} as const;
export type StockAlertType = (typeof STOCK_ALERT)[keyof typeof STOCK_ALERT];

/** How far back, in event time, the state remembers sales for the alert message's "last 10 minutes sold". */
export const RECENT_SALES_SECONDS = 600;

/** Units sold (stock decreases) within one second of event time. */
export interface SalesSecond {
  /** Epoch seconds. */
  readonly second: number;
  readonly sold: number;
}

/** A product's availability as the storefront reads it, plus what the consumer needs to keep it. */
export interface Availability {
  readonly quantity: number;
  readonly status: StockStatus;
  /** Event time of the latest accepted snapshot; a record at or before it is stale. */
  readonly asOf: string;
  /** The latest name a snapshot gave, for alert messages. */
  readonly productName?: string;
  /** Stale records seen (re-sent or out-of-order snapshots): counted, never applied. */
  readonly staleIgnored: number;
  /** Per-second sales over the last RECENT_SALES_SECONDS of event time, oldest first; at most 600 entries. */
  readonly recentSales: readonly SalesSecond[];
}

/** The status of a quantity q under threshold T: OUT_OF_STOCK if q = 0, LOW_STOCK if 0 < q < T, else IN_STOCK. */
export function stockStatusOf(quantity: number, threshold: number): StockStatus {
  if (quantity === 0) return STOCK_STATUS.outOfStock;
  return quantity < threshold ? STOCK_STATUS.lowStock : STOCK_STATUS.inStock;
}

/** The alert a change from `previous` (undefined for a new product) to `next` raises, if any. */
export function stockAlertTypeOf(
  previous: StockStatus | undefined,
  next: StockStatus,
): StockAlertType | undefined {
  if (next === STOCK_STATUS.lowStock && (previous === undefined || previous === STOCK_STATUS.inStock))
    return STOCK_ALERT.lowStock;
  if (next === STOCK_STATUS.outOfStock && previous !== STOCK_STATUS.outOfStock) return STOCK_ALERT.outOfStock;
  if (
    next === STOCK_STATUS.inStock &&
    (previous === STOCK_STATUS.lowStock || previous === STOCK_STATUS.outOfStock)
  )
    return STOCK_ALERT.backInStock;
  return undefined;
}

/** Folds one stock snapshot into a product's availability. Pure: no I/O, no clock. */
export function reduceAvailability(
  state: Availability | undefined,
  record: ConsumerRecord<InventoryValue>,
  config: InventoryConfig,
): Reduction<Availability> {
  const { value } = record;
  const at = Date.parse(value.eventTime);
  if (state !== undefined && at <= Date.parse(state.asOf)) {
    return { state: { ...state, staleIgnored: state.staleIgnored + 1 } };
  }
  const threshold = lowStockThresholdOf(value.productId, config);
  const status = stockStatusOf(value.quantity, threshold);
  const sold = state === undefined ? 0 : Math.max(0, state.quantity - value.quantity);
  const recentSales = withSale(state?.recentSales ?? [], Math.floor(at / 1000), sold);
  const productName = value.productName ?? state?.productName;
  const next: Availability = {
    quantity: value.quantity,
    status,
    asOf: value.eventTime,
    ...(productName === undefined ? {} : { productName }),
    staleIgnored: state?.staleIgnored ?? 0,
    recentSales,
  };
  const alertType = stockAlertTypeOf(state?.status, status);
  if (alertType === undefined) return { state: next };
  const alert: Alert = stockAlert(alertType, record, {
    previousStatus: state?.status,
    availability: next,
    threshold,
    soldLast10Minutes: recentSales.reduce((total, entry) => total + entry.sold, 0),
  });
  return { state: next, alerts: [alert] };
}

/** The sales history at `second` with `sold` more units, keeping only seconds in (second − 600, second]. */
function withSale(history: readonly SalesSecond[], second: number, sold: number): SalesSecond[] {
  const kept = history.filter((entry) => entry.second > second - RECENT_SALES_SECONDS);
  if (sold === 0) return kept;
  const last = kept.at(-1);
  // Accepted snapshots move forward in time, so a sale lands in the last second or a new one.
  if (last?.second === second) return [...kept.slice(0, -1), { second, sold: last.sold + sold }];
  return [...kept, { second, sold }];
}
