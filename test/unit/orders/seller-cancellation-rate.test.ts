import { describe, expect, it } from "vitest";
import { sellerAlertId, windowCounts } from "../../../functions/orders/seller-window";
import { DEFAULTS, foldSeller, orders } from "./seller-fold";

const T = "2026-11-20T12:00:30.000Z";
const at = (minute: number, second = 30) =>
  `2026-11-20T12:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}.000Z`;
const placedIds = (count: number) => Array.from({ length: count }, (_, index) => `P-${index}`);

describe("seller cancellation rate", () => {
  it("alerts once for a seller at 30 % over 20 orders", () => {
    const ids = placedIds(20);
    const { alerts, inBreach } = foldSeller([
      ...orders(20, "ORDER_PLACED", T, ids),
      ...orders(6, "ORDER_CANCELLED", T, ids),
    ]);

    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      alertType: "SELLER_CANCELLATION_RATE",
      severity: "warning",
      subjectId: "S-1",
      eventTime: T,
      details: { placed: 20, cancelled: 5, windowStart: "2026-11-20T11:51:00.000Z" },
    });
    expect(inBreach).toBe(true);
  });

  it("does not alert at exactly 20 %", () => {
    const ids = placedIds(20);
    const { alerts, inBreach } = foldSeller([
      ...orders(20, "ORDER_PLACED", T, ids),
      ...orders(4, "ORDER_CANCELLED", T, ids),
    ]);

    expect(alerts).toEqual([]);
    expect(inBreach).toBe(false);
  });

  it("does not alert with fewer than 10 orders placed, even at 60 %", () => {
    const ids = placedIds(5);
    const { alerts } = foldSeller([
      ...orders(5, "ORDER_PLACED", T, ids),
      ...orders(3, "ORDER_CANCELLED", T, ids),
    ]);

    expect(alerts).toEqual([]);
  });

  it("alerts again after a breach, a recovery and a second breach", () => {
    const ids = placedIds(20);
    const { alerts } = foldSeller([
      ...orders(10, "ORDER_PLACED", at(0), ids.slice(0, 10)),
      ...orders(3, "ORDER_CANCELLED", at(1), ids.slice(0, 3)), // 3 / 10: breach
      ...orders(10, "ORDER_PLACED", at(2), ids.slice(10)), // 3 / 15 is no breach any more
      ...orders(3, "ORDER_CANCELLED", at(3), ids.slice(3, 6)), // 5 / 20 is a breach again
    ]);

    expect(alerts.map((alert) => alert.details?.cancelled)).toEqual([3, 5]);
    expect(alerts.map((alert) => alert.eventTime)).toEqual([at(1), at(3)]);
  });

  it("stays in breach without alerting while records keep evaluating to a breach", () => {
    const ids = placedIds(40);
    const { alerts } = foldSeller([
      ...orders(10, "ORDER_PLACED", at(0), ids.slice(0, 10)),
      ...orders(5, "ORDER_CANCELLED", at(0), ids.slice(0, 5)),
      ...orders(10, "ORDER_PLACED", at(1), ids.slice(10, 20)),
      ...orders(5, "ORDER_CANCELLED", at(1), ids.slice(5, 10)),
    ]);

    expect(alerts).toHaveLength(1);
  });

  it("counts the ten whole minutes minute(t) − 9 … minute(t) into a record's window", () => {
    const cancelledAtNoon = orders(3, "ORDER_CANCELLED", at(0, 0), ["X-1", "X-2", "X-3"]);

    const inWindow = foldSeller([...cancelledAtNoon, ...orders(10, "ORDER_PLACED", at(9, 59))]);
    const pastWindow = foldSeller([...cancelledAtNoon, ...orders(10, "ORDER_PLACED", at(10, 0))]);

    expect(inWindow.alerts).toHaveLength(1);
    expect(inWindow.alerts[0]?.details).toMatchObject({
      windowStart: "2026-11-20T12:00:00.000Z",
      windowEnd: "2026-11-20T12:10:00.000Z",
    });
    expect(pastWindow.alerts).toEqual([]);
    expect(windowCounts([inWindow.state], Date.parse("2026-11-20T12:09:00.000Z"))).toMatchObject({
      placed: 10,
      cancelled: 3,
    });
    expect(windowCounts([pastWindow.state], Date.parse("2026-11-20T12:10:00.000Z"))).toMatchObject({
      placed: 10,
      cancelled: 0,
    });
  });

  it("leaves minutes after minute(t) out of a record's window", () => {
    const { alerts } = foldSeller([
      ...orders(3, "ORDER_CANCELLED", at(6)),
      ...orders(10, "ORDER_PLACED", at(5)), // a partition behind: 12:06 is not in 12:05's window
    ]);

    expect(alerts).toEqual([]);
  });

  it("counts an order id once per type when the producer sends the same event again", () => {
    const once = [
      ...orders(10, "ORDER_PLACED", T, placedIds(10)),
      ...orders(2, "ORDER_CANCELLED", T, ["P-0", "P-1"]),
    ];
    const again = orders(1, "ORDER_CANCELLED", T, ["P-1"]);

    const { alerts, state } = foldSeller([...once, ...again]);

    expect(alerts).toEqual([]);
    expect(state.minutes).toEqual([expect.objectContaining({ placed: 10, cancelled: 2 })]);
  });

  it("keeps 10 + lateMinutes minutes and evaluates records at most lateMinutes behind the latest", () => {
    const ids = placedIds(10);
    const latest = orders(10, "ORDER_PLACED", at(20), ids);
    const fiveBehind = orders(3, "ORDER_CANCELLED", at(15), ids.slice(0, 3));
    const sixBehind = orders(3, "ORDER_CANCELLED", at(14), ids.slice(0, 3));

    const evaluated = foldSeller([...latest, ...fiveBehind]);
    const tooLate = foldSeller([...latest, ...sixBehind, ...orders(1, "ORDER_PLACED", at(25))]);
    const forgotten = foldSeller([...latest, ...orders(1, "ORDER_CANCELLED", at(5, 59))]);

    // 12:15's window 12:06 … 12:15 holds no placed orders: evaluated, no breach
    expect(evaluated.alerts).toEqual([]);
    expect(evaluated.state.minutes.map((bucket) => bucket.minute.slice(11, 16))).toEqual(["12:15", "12:20"]);
    // 12:14 is counted but not evaluated; 12:25's window 12:16 … 12:25 has 11 placed, 0 cancelled
    expect(tooLate.state.minutes.map((bucket) => bucket.minute.slice(11, 16))).toEqual([
      "12:14",
      "12:20",
      "12:25",
    ]);
    expect(tooLate.alerts).toEqual([]);
    // 12:05 is before the kept minutes 12:06 … 12:20: ignored
    expect(forgotten.state.minutes.map((bucket) => bucket.minute.slice(11, 16))).toEqual(["12:20"]);
  });

  it("takes its thresholds from the config", () => {
    const ids = placedIds(5);
    const events = [...orders(5, "ORDER_PLACED", T, ids), ...orders(2, "ORDER_CANCELLED", T, ids)];

    expect(foldSeller(events).alerts).toEqual([]);
    expect(foldSeller(events, { ...DEFAULTS, minimumPlaced: 5 }).alerts).toHaveLength(1);
    expect(foldSeller(events, { ...DEFAULTS, minimumPlaced: 5, cancellationRate: 0.4 }).alerts).toEqual([]);
  });

  it("gives the same alert id when the same records are replayed", () => {
    const ids = placedIds(10);
    const events = [...orders(10, "ORDER_PLACED", T, ids), ...orders(3, "ORDER_CANCELLED", T, ids)];

    const first = foldSeller(events).alerts;
    const replay = foldSeller(events).alerts;

    expect(first).toHaveLength(1);
    expect(replay).toEqual(first);
    expect(first[0]?.alertId).toBe(sellerAlertId("S-1", events[12]!.eventId));
    expect(first[0]?.message).toBe(
      "Seller S-1: 3 of 10 orders cancelled (30 %) in the 10 minutes 11:51–12:01 UTC, above 20 %",
    );
  });
});
