import { describe, expect, it } from "vitest";
import { CARD_VELOCITY_CONFIG } from "../../../functions/card-velocity/config";
import { cardVelocityConsumer } from "../../../functions/card-velocity/consumer";
import { CARD_VELOCITY_ALERT, type CardWindow } from "../../../functions/card-velocity/reducer";
import type { FraudSignal } from "../../../functions/card-velocity/schema";
import type { OrdersConfig } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { sellerBreachKey, sellerPartKey } from "../../../functions/orders/keys";
import type { OrderEvent, OrderEventType } from "../../../functions/orders/schema";
import {
  SELLER_CANCELLATION_RATE,
  type SellerBreach,
  type SellerPart,
} from "../../../functions/orders/seller-window";
import { foldKey } from "../../../functions/shared/engine/fold";
import { REDRIVE_MARKERS_ATTRIBUTE } from "../../../functions/shared/engine/redrive";
import type { StateItem } from "../../../functions/shared/engine/state-item";
import type { ConsumerRecord } from "../../../functions/shared/engine/types";
import { orderEvent, orderRecord } from "../../support/orders";
import { CARD, payment } from "../card-velocity/fold";

// What docs/operations.md ("Redrive") says a late, redriven record does for seller windows and card bursts.
const NOW = Date.parse("2026-12-02T13:00:00.000Z");

describe("a late, redriven order in its seller's window", () => {
  const config: OrdersConfig = { cancellationRate: 0.2, minimumPlaced: 10, lateMinutes: 5, partitions: 1 };
  const SELLER = sellerPartKey("S-1", 0);
  const BREACH = sellerBreachKey("S-1");
  const order = (offset: number, type: OrderEventType, orderId: string, minute: number) =>
    orderRecord(
      orderEvent({
        type,
        orderId,
        eventTime: new Date(Date.UTC(2026, 10, 20, 23, minute, 30)).toISOString(),
      }),
      0,
      offset,
    );
  /** 10 orders placed and 2 cancelled in `minute` (2 of 10: no breach), then one placed in `latest`. */
  const live = (minute: number, latest: number) => [
    ...Array.from({ length: 10 }, (_, i) => order(i, "ORDER_PLACED", `O-${i}`, minute)),
    order(10, "ORDER_CANCELLED", "O-0", minute),
    order(12, "ORDER_CANCELLED", "O-1", minute),
    order(13, "ORDER_PLACED", "O-20", latest),
  ];
  /** The seller's part folded, with its breach item as `breach` left it (or as the fold wrote it). */
  const fold = (
    stored: StateItem | undefined,
    records: ConsumerRecord<OrderEvent>[],
    redrive: boolean,
    breach?: StateItem,
  ) => {
    const shared = new Map([[BREACH, breach]]);
    const folded = foldKey(ordersConsumer, config, SELLER, stored, records, NOW, undefined, redrive, shared);
    const written = folded.sharedWrites.find((write) => write.item.pk === BREACH)?.item;
    return { ...folded, breach: written ?? breach };
  };
  const inBreach = (breach: StateItem | undefined) => (breach?.state as SellerBreach | undefined)?.inBreach;
  const windowOf = (item: StateItem) => item.state as SellerPart;
  const bucket = (item: StateItem, minute: number) =>
    windowOf(item).minutes.find(
      (kept) => kept.minute === `2026-11-20T23:${String(minute).padStart(2, "0")}:00.000Z`,
    );

  it("is evaluated at most lateMinutes behind, against the counts known by then: a third cancellation breaches", () => {
    const first = fold(undefined, live(5, 9), false);
    const stored = first.next!;
    expect(inBreach(first.breach)).toBeUndefined();

    // Offset 11, rejected live, comes back after the seller's latest minute moved to 23:09 (3 minutes later).
    const redriven = fold(stored, [order(11, "ORDER_CANCELLED", "O-2", 6)], true, first.breach);

    expect(redriven.applied).toBe(1);
    expect(inBreach(redriven.breach)).toBe(true);
    expect(redriven.next!.outbox).toEqual([
      expect.objectContaining({
        alertType: SELLER_CANCELLATION_RATE,
        subjectId: "S-1",
        eventTime: "2026-11-20T23:06:30.000Z",
        details: expect.objectContaining({ placed: 10, cancelled: 3 }),
      }),
    ]);
    expect(redriven.next![REDRIVE_MARKERS_ATTRIBUTE]).toEqual({ "theworldshop.orders:0:11": NOW });
  });

  it("ends the seller's breach when its evaluation is no breach, so the next breach alerts again", () => {
    const breach = [...live(5, 5), order(14, "ORDER_CANCELLED", "O-2", 5)];
    const first = fold(undefined, breach, false);
    const stored = first.next!;
    expect(inBreach(first.breach)).toBe(true);

    // Placed in 23:04, its window 22:55–23:04 holds 1 placed order: no breach.
    const out = fold(stored, [order(11, "ORDER_PLACED", "O-30", 4)], true, first.breach);
    const redriven = out.next!;
    expect(inBreach(out.breach)).toBe(false);
    const next = fold(redriven, [order(15, "ORDER_CANCELLED", "O-3", 9)], false, out.breach).next!;

    expect((next.outbox ?? []).map((alert) => alert.eventTime)).toEqual([
      "2026-11-20T23:05:30.000Z",
      "2026-11-20T23:09:30.000Z",
    ]);
  });

  it("is counted in its minute but not evaluated when more than lateMinutes behind: no alert, breach unchanged", () => {
    const first = fold(undefined, live(12, 20), false);
    const stored = first.next!;

    const redriven = fold(stored, [order(11, "ORDER_CANCELLED", "O-2", 13)], true, first.breach);

    expect(redriven.applied).toBe(1);
    expect(bucket(redriven.next!, 13)).toMatchObject({ placed: 0, cancelled: 1, cancelledIds: ["O-2"] });
    // 3 of 10 in 23:04–23:14 would breach, had it been evaluated.
    expect(redriven.sharedWrites).toEqual([]);
    expect(inBreach(redriven.breach)).toBeUndefined();
    expect(redriven.next!.outbox ?? []).toEqual([]);
  });

  it("is left out once its minute is no longer kept (more than 9 + lateMinutes behind), yet marked as done", () => {
    const stored = fold(undefined, live(12, 20), false).next!;

    const redriven = fold(stored, [order(11, "ORDER_CANCELLED", "O-2", 5)], true);

    expect(redriven.applied).toBe(1);
    expect(redriven.next!.state).toEqual(stored.state);
    expect(redriven.next![REDRIVE_MARKERS_ATTRIBUTE]).toEqual({ "theworldshop.orders:0:11": NOW });
  });
});

describe("a late, redriven transaction in its card's bursts", () => {
  const signal = (offset: number, transactionId: string, seconds: number): ConsumerRecord<FraudSignal> => {
    const value = payment(transactionId, seconds);
    return {
      topic: "theworldshop.fraud-signals",
      partition: 0,
      offset,
      key: CARD,
      value,
      timestamp: Date.parse(value.eventTime),
      headers: {},
    };
  };
  const fold = (stored: StateItem | undefined, records: ConsumerRecord<FraudSignal>[], redrive: boolean) =>
    foldKey(cardVelocityConsumer, CARD_VELOCITY_CONFIG, CARD, stored, records, NOW, undefined, redrive);
  const burstOf = (item: StateItem) => (item.state as CardWindow).inBurst;

  it("is counted among the transactions known by then, later ones included, and flagged above 5 with an alert", () => {
    // tx-R at 12:00:55 sat at offset 4; a run that never rejected it counts 4 there and flags nothing.
    const live = [signal(1, "tx-1", 10), signal(2, "tx-2", 20), signal(3, "tx-3", 30)];
    const stored = fold(undefined, [...live, signal(5, "tx-4", 40), signal(6, "tx-5", 50)], false);
    expect(stored.sideRecords).toEqual([]);

    const redriven = fold(stored.next!, [signal(4, "tx-R", 55)], true);

    expect(redriven.sideRecords).toEqual([
      expect.objectContaining({
        item: expect.objectContaining({ transactionId: "tx-R", decision: "FLAGGED", count: 6 }),
      }),
    ]);
    expect(redriven.next!.outbox).toEqual([
      expect.objectContaining({
        alertType: CARD_VELOCITY_ALERT,
        subjectId: CARD,
        details: expect.objectContaining({ count: 6 }),
      }),
    ]);
    expect(burstOf(redriven.next!)).toBe(true);
  });

  it("ends the card's burst when it counts 5 or fewer, so the next flagged transaction alerts again", () => {
    const burst = [0, 10, 20, 30, 40, 50].map((at, i) => signal(i + 2, `tx-${i + 1}`, at));
    const stored = fold(undefined, burst, false).next!;
    expect(burstOf(stored)).toBe(true);
    expect(stored.outbox).toHaveLength(1);

    const redriven = fold(stored, [signal(1, "tx-R", 5)], true).next!;
    expect(burstOf(redriven)).toBe(false);
    const next = fold(redriven, [signal(8, "tx-7", 55)], false);

    expect(next.sideRecords).toEqual([
      expect.objectContaining({ item: expect.objectContaining({ transactionId: "tx-7", count: 8 }) }),
    ]);
    expect((next.next!.outbox ?? []).map((alert) => alert.details?.transactionId)).toEqual(["tx-6", "tx-7"]);
  });

  it("is ignored when more than 5 minutes older than the card's newest transaction, yet marked as done", () => {
    const stored = fold(undefined, [signal(2, "tx-1", 400)], false).next!;

    const redriven = fold(stored, [signal(1, "tx-R", 99)], true);

    expect(redriven.applied).toBe(1);
    expect(redriven.next!.state).toEqual(stored.state);
    expect(redriven.sideRecords).toEqual([]);
    expect(redriven.next![REDRIVE_MARKERS_ATTRIBUTE]).toEqual({ "theworldshop.fraud-signals:0:1": NOW });
  });
});
