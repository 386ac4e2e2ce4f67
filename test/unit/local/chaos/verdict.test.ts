import { describe, expect, it } from "vitest";
import type { ReceivedAlert } from "../../../../local/alert-inbox";
import { judge, type Outcome } from "../../../../local/chaos/verdict";
import type { ReplayAlert } from "../../../../local/replay/replay";

const alert = (alertId: string, alertType = "LOW_STOCK", message = "stock is low"): ReplayAlert => ({
  alertId,
  alertType,
  subjectId: "P-1",
  eventTime: "2026-12-02T10:00:00.000Z",
  message,
});

const outcome = (overrides: Partial<Outcome> = {}): Outcome => ({
  sections: {
    inventory: { "P-1": { quantity: 3, status: "LOW_STOCK", asOf: "2026-12-02T10:00:00.000Z" } },
    ordersPerMinute: { "2026-12-02T10:00:00.000Z": { placed: 4, cancelled: 1 } },
    fraudFlags: ["T-9"],
    sessions: { ended: [], active: 2 },
  },
  sellers: { "S-1": { "2026-12-02T10:00:00.000Z": { placed: 4, cancelled: 1 } } },
  rejected: [{ topic: "theworldshop.orders", partition: 1, offset: 17, reason: "not JSON" }],
  ...overrides,
});

describe("judging a chaos run against the fault-free fold of its input", () => {
  const reference = {
    ...outcome(),
    alerts: [alert("a1"), alert("a2"), alert("s1", "SELLER_CANCELLATION_RATE")],
  };

  it("passes the same state, every alert once or more, and the same rejected records", () => {
    const deliveries: ReceivedAlert[] = [
      alert("a1"),
      alert("a2"),
      alert("a2"),
      alert("s1", "SELLER_CANCELLATION_RATE"),
    ];
    const verdict = judge(reference, { ...outcome(), deliveries });
    expect(verdict).toEqual({
      stateMismatches: 0,
      mismatches: [],
      alerts: { expected: 2, received: 2, duplicated: 1, lost: 0, unexpected: 0 },
      sellerAlerts: { expected: 1, received: 1, differing: 0 },
      rejected: { expected: 1, received: 1, differing: 0 },
    });
  });

  it("counts a lost alert, an alert the fold does not make and one changed under its id", () => {
    const deliveries = [alert("a1", "LOW_STOCK", "another text"), alert("x9")];
    const verdict = judge(reference, { ...outcome(), deliveries });
    expect(verdict.alerts).toEqual({ expected: 2, received: 1, duplicated: 0, lost: 1, unexpected: 2 });
  });

  it("counts a repeated delivery that does not repeat its alert", () => {
    const deliveries = [alert("a1"), alert("a2"), alert("a2", "LOW_STOCK", "changed on redelivery")];
    const verdict = judge(reference, { ...outcome(), deliveries });
    expect(verdict.alerts).toEqual({ expected: 2, received: 2, duplicated: 1, lost: 0, unexpected: 1 });
  });

  it("reports seller alerts apart: a missing or extra one is not an order-free loss", () => {
    const deliveries = [alert("a1"), alert("a2"), alert("s2", "SELLER_CANCELLATION_RATE")];
    const verdict = judge(reference, { ...outcome(), deliveries });
    expect(verdict.alerts.lost).toBe(0);
    expect(verdict.alerts.unexpected).toBe(0);
    expect(verdict.sellerAlerts).toEqual({ expected: 1, received: 0, differing: 2 });
  });

  it("names every state entry that differs, seller counts included", () => {
    const changed = outcome({
      sellers: { "S-1": { "2026-12-02T10:00:00.000Z": { placed: 5, cancelled: 1 } } },
      sections: { ...outcome().sections, fraudFlags: ["T-9", "T-10"] },
    });
    const verdict = judge(reference, { ...changed, deliveries: [alert("a1"), alert("a2")] });
    expect(verdict.stateMismatches).toBe(2);
    expect(verdict.mismatches).toEqual([
      "fraudFlags T-10: expected nothing, got true",
      'sellers S-1 2026-12-02T10:00:00.000Z: expected {"placed":4,"cancelled":1}, got {"placed":5,"cancelled":1}',
    ]);
  });

  it("counts a rejected record missing from the queue and one the fold accepted", () => {
    const verdict = judge(reference, {
      ...outcome({
        rejected: [{ topic: "theworldshop.orders", partition: 0, offset: 3, reason: "not JSON" }],
      }),
      deliveries: [alert("a1"), alert("a2")],
    });
    expect(verdict.rejected).toEqual({ expected: 1, received: 0, differing: 2 });
  });
});
