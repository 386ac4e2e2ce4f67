import { alertIdOf } from "../shared/alert-id";
import type { Alert, ConsumerRecord, Reduction, SharedStates } from "../shared/engine/types";
import type { OrdersConfig } from "./config";
import { expiresAfter, MINUTE_MS, minuteOf, minuteText, sellerBreachKey, sellerPartKey } from "./keys";
import type { OrderEvent } from "./schema";

export const SELLER_CANCELLATION_RATE = "SELLER_CANCELLATION_RATE";
/** The window of a record at t: the ten whole minutes minute(t) − 9 min … minute(t). */
export const WINDOW_MINUTES = 10;
/** Order ids kept per seller and partition for de-duplication; beyond this a part's item would approach 400 KB. */
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

/**
 * One partition's part of a seller's window: the minutes of the seller's records on that partition, the last
 * 10 + lateMinutes minutes of the seller's event time known, oldest first.
 */
export interface SellerPart {
  readonly sellerId: string;
  readonly partition: number;
  /** The latest minute of the seller's records seen so far, on any partition, when this part was written. */
  readonly latestMinute: string;
  /** Minutes before this are no longer kept: latestMinute − (9 + lateMinutes) minutes. */
  readonly keptFrom: string;
  readonly minutes: readonly SellerMinute[];
}

/** Whether a seller is in breach, the same for every partition: its item changes only when this does. */
export interface SellerBreach {
  readonly sellerId: string;
  readonly inBreach: boolean;
}

/** The keys the rule reads beside the record's own part: the seller's breach and its other partitions' parts. */
export function sellerSharedKeys(sellerId: string, partition: number, config: OrdersConfig): string[] {
  return [sellerBreachKey(sellerId), ...otherPartKeys(sellerId, partition, config)];
}

/** The seller's parts of partitions 0 … partitions − 1 (at least up to `partition`) but `partition`'s own. */
function otherPartKeys(sellerId: string, partition: number, config: OrdersConfig): string[] {
  const partitions = Math.max(config.partitions, partition + 1);
  return Array.from({ length: partitions }, (_, other) => other)
    .filter((other) => other !== partition)
    .map((other) => sellerPartKey(sellerId, other));
}

/** Placed and cancelled of a seller in the window minute(t) − 9 min … minute(t), over all its parts. */
export function windowCounts(
  parts: readonly Pick<SellerPart, "minutes">[],
  minute: number,
): { placed: number; cancelled: number; from: number } {
  const from = minute - (WINDOW_MINUTES - 1) * MINUTE_MS;
  let placed = 0;
  let cancelled = 0;
  for (const bucket of parts.flatMap((part) => part.minutes)) {
    const at = Date.parse(bucket.minute);
    if (at >= from && at <= minute) {
      placed += bucket.placed;
      cancelled += bucket.cancelled;
    }
  }
  return { placed, cancelled, from };
}

/**
 * A seller's minutes over all its parts: each kept minute's counts and ids summed. A part not written since
 * the seller's latest minute moved on may still hold minutes the others no longer keep; those are left out.
 */
export function sellerMinutes(parts: readonly SellerPart[]): SellerMinute[] {
  const keptFrom =
    parts
      .map((part) => part.keptFrom)
      .sort()
      .at(-1) ?? "";
  const byMinute = new Map<string, SellerMinute>();
  for (const bucket of parts.flatMap((part) => part.minutes)) {
    if (bucket.minute < keptFrom) continue;
    const sum = byMinute.get(bucket.minute);
    byMinute.set(
      bucket.minute,
      sum
        ? {
            minute: bucket.minute,
            placed: sum.placed + bucket.placed,
            cancelled: sum.cancelled + bucket.cancelled,
            placedIds: [...sum.placedIds, ...bucket.placedIds],
            cancelledIds: [...sum.cancelledIds, ...bucket.cancelledIds],
          }
        : bucket,
    );
  }
  return [...byMinute.values()].sort((a, b) => a.minute.localeCompare(b.minute));
}

/** Breach: placed ≥ minimumPlaced and cancelled / placed > cancellationRate. */
export function isBreach(placed: number, cancelled: number, config: OrdersConfig): boolean {
  return placed >= config.minimumPlaced && cancelled / placed > config.cancellationRate;
}

/**
 * Counts an order event into its partition's part of its seller's window and evaluates the cancellation-rate
 * rule for it over every part: the record's own part as the partition's records so far left it, the others
 * (in `shared`) as they stood when the batch read them. A repeat of an order id and type already counted in
 * its minute (a producer duplicate; an order's records share its key, so its partition) is ignored entirely.
 * A record more than lateMinutes behind the seller's latest minute is counted while its minute is kept, but not
 * evaluated: the minutes at the start of its window are no longer known. Entering or leaving breach writes the
 * seller's breach item, with the part, on condition that no other partition changed it meanwhile.
 */
export function evaluateSeller(
  part: SellerPart | undefined,
  record: ConsumerRecord<OrderEvent>,
  config: OrdersConfig,
  shared: SharedStates = new Map(),
): Reduction<SellerPart> {
  const { type, orderId, sellerId } = record.value;
  const minute = minuteOf(record.value.eventTime);
  const others = otherPartKeys(sellerId, record.partition, config)
    .map((key) => shared.get(key) as SellerPart | undefined)
    .filter((other): other is SellerPart => other !== undefined);
  const known = [...(part ? [part] : []), ...others].map((kept) => Date.parse(kept.latestMinute));
  const previousLatest = known.length > 0 ? Math.max(...known) : minute;
  const latest = Math.max(previousLatest, minute);
  const keptFrom = latest - (WINDOW_MINUTES - 1 + config.lateMinutes) * MINUTE_MS;
  const previous = part ?? {
    sellerId,
    partition: record.partition,
    latestMinute: minuteText(previousLatest),
    keptFrom: minuteText(previousLatest - (WINDOW_MINUTES - 1 + config.lateMinutes) * MINUTE_MS),
    minutes: [],
  };
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

  // Of the minutes still kept: a part not written while other partitions moved the seller on holds older ones.
  const keptIds = previous.minutes
    .filter((kept) => Date.parse(kept.minute) >= keptFrom)
    .reduce((sum, kept) => sum + kept.placedIds.length + kept.cancelledIds.length, 0);
  const ids = keptIds < MAX_KEPT_ORDER_IDS ? [orderId] : [];
  const counted: SellerMinute = placedOrder
    ? { ...bucket, placed: bucket.placed + 1, placedIds: [...bucket.placedIds, ...ids] }
    : { ...bucket, cancelled: bucket.cancelled + 1, cancelledIds: [...bucket.cancelledIds, ...ids] };
  const minutes = [...previous.minutes.filter((kept) => kept.minute !== text), counted]
    .filter((kept) => Date.parse(kept.minute) >= keptFrom)
    .sort((a, b) => a.minute.localeCompare(b.minute));
  const counting: SellerPart = {
    ...previous,
    latestMinute: minuteText(latest),
    keptFrom: minuteText(keptFrom),
    minutes,
  };
  const expiresAt = expiresAfter(latest);
  if (minute < latest - config.lateMinutes * MINUTE_MS) return { state: counting, expiresAt };

  const { placed, cancelled, from } = windowCounts([counting, ...others], minute);
  const breach = isBreach(placed, cancelled, config);
  const breachKey = sellerBreachKey(sellerId);
  const inBreach = (shared.get(breachKey) as SellerBreach | undefined)?.inBreach ?? false;
  if (breach === inBreach) return { state: counting, expiresAt };
  const state: SellerBreach = { sellerId, inBreach: breach };
  return {
    state: counting,
    expiresAt,
    alerts: breach ? [breachAlert(record, { placed, cancelled, from, minute }, config)] : [],
    // Kept while the seller is in breach, however long; once out, it goes with the seller's windows.
    sharedWrites: { [breachKey]: breach ? { state } : { state, expiresAt } },
  };
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
