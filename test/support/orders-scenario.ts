import type { OrdersConfig } from "../../functions/orders/config";
import { ordersConsumer } from "../../functions/orders/consumer";
import { minuteOf, minuteText, parseSellerPartKey, sellerPartKey } from "../../functions/orders/keys";
import type { OrderEvent } from "../../functions/orders/schema";
import { type SellerMinute, type SellerPart, sellerMinutes } from "../../functions/orders/seller-window";
import type { Alert } from "../../functions/shared/engine/types";
import type { RawKafkaRecord } from "../../local/kafka-event";
import { orderRecord } from "./orders";
import { orderRecords } from "./orders-delivery";
import { reduceInto } from "./shared-reduce";

/** A small deterministic PRNG (mulberry32), so every run delivers the same records the same way. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const SCENARIO_PARTITIONS = 3;
export const HOT_SELLER = "S-HOT";
const START = Date.parse("2026-11-20T12:00:00.000Z");
const CURRENCIES = ["EUR", "USD", "GBP"] as const;

/**
 * Orders of eight sellers over 12:00 … 12:04 spread over three partitions, a producer duplicate, and seller
 * S-HOT (all on partition 1, so its order is the partition's) breaching, recovering and breaching again.
 */
export function scenarioRecords(): RawKafkaRecord[] {
  const random = seeded(20261120);
  const placed: { event: OrderEvent; partition: number }[] = [];
  let id = 0;
  const order = (
    sellerId: string,
    type: OrderEvent["type"],
    at: number,
    orderId = `O-${++id}`,
  ): OrderEvent => ({
    eventId: `E-${++id}`,
    type,
    orderId,
    sellerId,
    customerId: `C-${Math.floor(random() * 50)}`,
    amount: { value: 100 + Math.floor(random() * 9_900), currency: CURRENCIES[Math.floor(random() * 3)]! },
    eventTime: new Date(at).toISOString(),
  });
  for (let index = 0; index < 400; index += 1) {
    const at = START + Math.floor((index / 400) * 5 * 60_000);
    const event = order(
      `S-${Math.floor(random() * 8)}`,
      random() < 0.1 ? "ORDER_CANCELLED" : "ORDER_PLACED",
      at,
    );
    placed.push({ event, partition: Math.floor(random() * SCENARIO_PARTITIONS) });
  }
  const hot = (type: OrderEvent["type"], count: number, minute: number) => {
    for (let index = 0; index < count; index += 1)
      placed.push({ event: order(HOT_SELLER, type, START + minute * 60_000 + index * 1000), partition: 1 });
  };
  hot("ORDER_PLACED", 20, 1);
  hot("ORDER_CANCELLED", 6, 1); // 5 / 20 is the first breach
  hot("ORDER_PLACED", 20, 2); // 6 / 40: recovered
  hot("ORDER_CANCELLED", 8, 3); // 9 / 40 is a breach again
  const again = placed[10]!;
  placed.push({ event: again.event, partition: (again.partition + 1) % SCENARIO_PARTITIONS });
  return orderRecords(placed);
}

/** Orders per minute as the rule counts them: every record, a producer duplicate included. */
export function expectedPerMinute(records: readonly RawKafkaRecord[]) {
  const totals = new Map<string, { placed: number; cancelled: number; revenue: Record<string, number> }>();
  for (const record of records) {
    const event = JSON.parse(record.value!) as OrderEvent;
    const minute = minuteText(minuteOf(event.eventTime));
    const total = totals.get(minute) ?? { placed: 0, cancelled: 0, revenue: {} };
    if (event.type === "ORDER_PLACED") {
      total.placed += 1;
      total.revenue[event.amount.currency] = (total.revenue[event.amount.currency] ?? 0) + event.amount.value;
    } else total.cancelled += 1;
    totals.set(minute, total);
  }
  return [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([minute, total]) => ({ minute, ...total }));
}

/** A seller's minutes with order ids as sorted sets: equal whatever order the partitions were applied in. */
export function comparableMinutes(minutes: readonly SellerMinute[]) {
  return minutes.map((bucket) => ({
    ...bucket,
    placedIds: [...bucket.placedIds].sort(),
    cancelledIds: [...bucket.cancelledIds].sort(),
  }));
}

/**
 * One seller's minutes and alerts when its records are folded in offset order, partition after partition,
 * each through its partition's part with the parts before it: the reference for S-HOT.
 */
export function referenceSeller(records: readonly RawKafkaRecord[], sellerId: string, config: OrdersConfig) {
  const states = new Map<string, unknown>();
  const alerts: Alert[] = [];
  for (const record of records) {
    const event = JSON.parse(record.value!) as OrderEvent;
    if (event.sellerId !== sellerId) continue;
    const reduction = reduceInto(
      ordersConsumer,
      sellerPartKey(sellerId, record.partition),
      orderRecord(event, record.partition, record.offset),
      config,
      states,
    );
    alerts.push(...(reduction.alerts ?? []));
  }
  const parts = [...states]
    .filter(([key]) => parseSellerPartKey(key) !== undefined)
    .map(([, state]) => state as SellerPart);
  return { minutes: sellerMinutes(parts), alerts };
}
