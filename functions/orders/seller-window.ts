import { alertIdOf } from "../shared/alert-id";
import type { Alert, ConsumerRecord, Reduction } from "../shared/engine/types";
import type { OrdersConfig } from "./config";
import { expiresAfter, MINUTE_MS, minuteOf, minuteText } from "./keys";
import type { OrderEvent } from "./schema";

export const SELLER_CANCELLATION_RATE = "SELLER_CANCELLATION_RATE";
/** The window of a record at t: the ten whole minutes minute(t) − 9 min … minute(t). */
export const WINDOW_MINUTES = 10;
/** Order ids kept per seller for de-duplication; beyond this a seller's item would approach 400 KB. */
export const MAX_KEPT_ORDER_IDS = 5_000;

/** One seller's orders in one event-time minute. */
export interface SellerMinute {
  readonly minute: string;
  readonly placed: number;
  readonly cancelled: number;
  /** Order ids counted in `placed` (while the seller keeps fewer than MAX_KEPT_ORDER_IDS). */
  readonly placedIds: readonly string[];
  readonly cancelledIds: readonly string[];
}

/** A seller's last 10 + lateMinutes minutes of event time known, oldest first, and whether it is in breach. */
export interface SellerWindow {
  readonly sellerId: string;
  /** The latest minute of the seller's records seen so far. */
  readonly latestMinute: string;
  readonly minutes: readonly SellerMinute[];
  readonly inBreach: boolean;
}

/** Placed and cancelled of a seller in the window minute(t) − 9 min … minute(t). */
export function windowCounts(
  window: SellerWindow,
  minute: number,
): { placed: number; cancelled: number; from: number } {
  const from = minute - (WINDOW_MINUTES - 1) * MINUTE_MS;
  let placed = 0;
  let cancelled = 0;
  for (const bucket of window.minutes) {
    const at = Date.parse(bucket.minute);
    if (at >= from && at <= minute) {
      placed += bucket.placed;
      cancelled += bucket.cancelled;
    }
  }
  return { placed, cancelled, from };
}

/** Breach: placed ≥ minimumPlaced and cancelled / placed > cancellationRate. */
export function isBreach(placed: number, cancelled: number, config: OrdersConfig): boolean {
  return placed >= config.minimumPlaced && cancelled / placed > config.cancellationRate;
}

/**
 * Counts an order event into its seller's window and evaluates the cancellation-rate rule for it.
 * A repeat of an order id and type already counted in its minute (a producer duplicate) is ignored entirely.
 * A record more than lateMinutes behind the seller's latest minute is counted while its minute is kept, but
 * not evaluated: the minutes at the start of its window are no longer known.
 */
export function evaluateSeller(
  state: SellerWindow | undefined,
  record: ConsumerRecord<OrderEvent>,
  config: OrdersConfig,
): Reduction<SellerWindow> {
  const { type, orderId, sellerId } = record.value;
  const minute = minuteOf(record.value.eventTime);
  const previous = state ?? { sellerId, latestMinute: minuteText(minute), minutes: [], inBreach: false };
  const previousLatest = Date.parse(previous.latestMinute);
  const latest = Math.max(previousLatest, minute);
  const keptFrom = latest - (WINDOW_MINUTES - 1 + config.lateMinutes) * MINUTE_MS;
  const unchanged = { state: previous, expiresAt: expiresAfter(previousLatest) };
  if (minute < keptFrom) return unchanged;

  const text = minuteText(minute);
  const bucket = previous.minutes.find((kept) => kept.minute === text) ?? {
    minute: text,
    placed: 0,
    cancelled: 0,
    placedIds: [],
    cancelledIds: [],
  };
  const placedOrder = type === "ORDER_PLACED";
  if ((placedOrder ? bucket.placedIds : bucket.cancelledIds).includes(orderId)) return unchanged;

  const keptIds = previous.minutes.reduce(
    (sum, kept) => sum + kept.placedIds.length + kept.cancelledIds.length,
    0,
  );
  const ids = keptIds < MAX_KEPT_ORDER_IDS ? [orderId] : [];
  const counted: SellerMinute = placedOrder
    ? { ...bucket, placed: bucket.placed + 1, placedIds: [...bucket.placedIds, ...ids] }
    : { ...bucket, cancelled: bucket.cancelled + 1, cancelledIds: [...bucket.cancelledIds, ...ids] };
  const minutes = [...previous.minutes.filter((kept) => kept.minute !== text), counted]
    .filter((kept) => Date.parse(kept.minute) >= keptFrom)
    .sort((a, b) => a.minute.localeCompare(b.minute));
  const counting: SellerWindow = { ...previous, latestMinute: minuteText(latest), minutes };
  const expiresAt = expiresAfter(latest);
  if (minute < latest - config.lateMinutes * MINUTE_MS) return { state: counting, expiresAt };

  const { placed, cancelled, from } = windowCounts(counting, minute);
  const breach = isBreach(placed, cancelled, config);
  const alerts =
    breach && !previous.inBreach ? [breachAlert(record, { placed, cancelled, from, minute }, config)] : [];
  return { state: { ...counting, inBreach: breach }, alerts, expiresAt };
}

/** One id per seller and triggering event, however their texts run together. */
export function sellerAlertId(sellerId: string, eventId: string): string {
  return alertIdOf(SELLER_CANCELLATION_RATE, sellerId, eventId);
}

function breachAlert(
  record: ConsumerRecord<OrderEvent>,
  window: { placed: number; cancelled: number; from: number; minute: number },
  config: OrdersConfig,
): Alert {
  const { sellerId, eventId, eventTime } = record.value;
  const percent = Math.round((window.cancelled / window.placed) * 1000) / 10;
  const to = minuteText(window.minute + MINUTE_MS).slice(11, 16);
  return {
    alertId: sellerAlertId(sellerId, eventId),
    alertType: SELLER_CANCELLATION_RATE,
    severity: "warning",
    subjectId: sellerId,
    eventTime,
    message:
      `Seller ${sellerId}: ${window.cancelled} of ${window.placed} orders cancelled (${percent} %) ` +
      `in the 10 minutes ${minuteText(window.from).slice(11, 16)}–${to} UTC, above ${config.cancellationRate * 100} %`,
    details: {
      placed: window.placed,
      cancelled: window.cancelled,
      windowStart: minuteText(window.from),
      windowEnd: minuteText(window.minute + MINUTE_MS),
      cancellationRate: config.cancellationRate,
      minimumPlaced: config.minimumPlaced,
    },
  };
}
