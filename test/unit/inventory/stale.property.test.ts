import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { InventoryValue } from "../../../functions/inventory/schema";
import type { ConsumerRecord } from "../../../functions/shared/engine/types";
import { fold, snapshot } from "./records";

const START = Date.parse("2026-12-01T23:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

// A snapshot moving forward in time, then re-sent or older snapshots that arrive after it.
const step = fc.record({
  quantity: fc.integer({ min: 0, max: 40 }),
  advanceMs: fc.integer({ min: 1, max: 120_000 }),
  stale: fc.array(
    fc.record({ quantity: fc.integer({ min: 0, max: 40 }), backMs: fc.integer({ min: 0, max: 300_000 }) }),
    {
      maxLength: 3,
    },
  ),
});

describe("inventory availability with stale records mixed in", () => {
  it("ends in the same availability with the same alerts as without them, and counts them", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const clean: ConsumerRecord<InventoryValue>[] = [];
        const mixed: ConsumerRecord<InventoryValue>[] = [];
        let at = START;
        let staleCount = 0;
        for (const { quantity, advanceMs, stale } of steps) {
          at += advanceMs;
          clean.push(snapshot(quantity, iso(at)));
          mixed.push(snapshot(quantity, iso(at)));
          for (const { quantity: q, backMs } of stale) mixed.push(snapshot(q, iso(at - backMs)));
          staleCount += stale.length;
        }
        const expected = fold(clean);
        const actual = fold(mixed);

        expect(actual.state).toEqual({ ...expected.state, staleIgnored: staleCount });
        const described = (alerts: typeof actual.alerts) =>
          alerts.map(({ alertType, subjectId, eventTime, message }) => ({
            alertType,
            subjectId,
            eventTime,
            message,
          }));
        expect(described(actual.alerts)).toEqual(described(expected.alerts));
      }),
    );
  });
});
