import type { ConsumerRecord, Reduction } from "../shared/engine/types";
import { expiresAfter, minuteOf, minuteText } from "./keys";
import type { OrderEvent } from "./schema";

/** One partition's counts of one event-time minute (a shard of the minute's orders-per-minute). */
export interface MinuteCounts {
  /** The minute, e.g. `2026-11-20T23:03:00.000Z`. */
  readonly minute: string;
  readonly partition: number;
  /** ORDER_PLACED records in the minute. */
  readonly placed: number;
  /** ORDER_CANCELLED records in the minute. */
  readonly cancelled: number;
  /** Sum of ORDER_PLACED amounts per currency, minor units. */
  readonly revenue: Readonly<Record<string, number>>;
}

/** Counts one order event into its partition's shard of minute(eventTime). */
export function countOrder(
  state: MinuteCounts | undefined,
  record: ConsumerRecord<OrderEvent>,
): Reduction<MinuteCounts> {
  const { type, amount, eventTime } = record.value;
  const minute = minuteOf(eventTime);
  const counts: MinuteCounts = state ?? {
    minute: minuteText(minute),
    partition: record.partition,
    placed: 0,
    cancelled: 0,
    revenue: {},
  };
  const next: MinuteCounts =
    type === "ORDER_PLACED"
      ? {
          ...counts,
          placed: counts.placed + 1,
          revenue: {
            ...counts.revenue,
            [amount.currency]: (counts.revenue[amount.currency] ?? 0) + amount.value,
          },
        }
      : { ...counts, cancelled: counts.cancelled + 1 };
  return { state: next, expiresAt: expiresAfter(minute) };
}
