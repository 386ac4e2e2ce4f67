import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MINUTE_MS, minuteOf } from "../../../functions/orders/keys";
import type { OrderEvent } from "../../../functions/orders/schema";
import { sellerAlertId } from "../../../functions/orders/seller-window";
import { orderEvent } from "../../support/orders";
import { DEFAULTS, foldSeller } from "./seller-fold";

const BASE = Date.parse("2026-11-20T12:00:00.000Z");

/** The rule as written in rules.md, over every record known so far: the reference the reducer must match. */
function ruleAlerts(events: readonly OrderEvent[]): string[] {
  const known: { orderId: string; type: string; minute: number }[] = [];
  let inBreach = false;
  const alertIds: string[] = [];
  for (const event of events) {
    const minute = minuteOf(event.eventTime);
    const seen = known.some(
      (k) => k.orderId === event.orderId && k.type === event.type && k.minute === minute,
    );
    if (seen) continue;
    known.push({ orderId: event.orderId, type: event.type, minute });
    const inWindow = known.filter((k) => k.minute >= minute - 9 * MINUTE_MS && k.minute <= minute);
    const placed = inWindow.filter((k) => k.type === "ORDER_PLACED").length;
    const cancelled = inWindow.length - placed;
    const breach = placed >= DEFAULTS.minimumPlaced && cancelled / placed > DEFAULTS.cancellationRate;
    if (breach && !inBreach) alertIds.push(sellerAlertId("S-1", event.eventId));
    inBreach = breach;
  }
  return alertIds;
}

const step = fc.record({
  // Mostly the same minute, so that windows fill up past minimumPlaced.
  advance: fc.oneof({ arbitrary: fc.constant(0), weight: 15 }, { arbitrary: fc.nat({ max: 2 }), weight: 1 }),
  lag: fc.nat({ max: DEFAULTS.lateMinutes }),
  second: fc.nat({ max: 59 }),
  cancelled: fc.double({ min: 0, max: 1, noNaN: true }),
  order: fc.nat({ max: 150 }),
});

describe("seller cancellation rate against the rule", () => {
  it("alerts exactly where the rule does for records at most lateMinutes behind the seller's latest", () => {
    let runsWithAlerts = 0;
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 30, maxLength: 300, size: "max" }),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        (steps, share) => {
          let frontier = 0;
          const events = steps.map((s, index) => {
            frontier += s.advance;
            const at = BASE + (frontier - s.lag) * MINUTE_MS + s.second * 1000;
            return orderEvent({
              eventId: `E-${index}`,
              orderId: `O-${s.order}`,
              type: s.cancelled < share ? "ORDER_CANCELLED" : "ORDER_PLACED",
              eventTime: new Date(at).toISOString(),
            });
          });

          const { alerts } = foldSeller(events);

          expect(alerts.map((alert) => alert.alertId)).toEqual(ruleAlerts(events));
          if (alerts.length > 0) runsWithAlerts += 1;
        },
      ),
      { numRuns: 300 },
    );
    expect(runsWithAlerts).toBeGreaterThan(30);
  });
});
