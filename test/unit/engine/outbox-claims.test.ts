import { describe, expect, it } from "vitest";
import { foldKey } from "../../../functions/shared/engine/fold";
import { claimedBy } from "../../../functions/shared/engine/outbox-claims";
import type { StateItem } from "../../../functions/shared/engine/state-item";
import type { Alert, ConsumerRecord } from "../../../functions/shared/engine/types";
import { type TallyValue, tallyConsumer } from "../../support/tally-consumer";

const topic = "theworldshop.tally";
const now = Date.UTC(2026, 10, 20, 23, 3, 0);
const alert = (alertId: string): Alert => ({
  alertId,
  alertType: "TALLY_STEP",
  severity: "info",
  subjectId: "A",
  eventTime: "2026-11-20T23:00:00.000Z",
  message: "A passed 10",
});
const record = (offset: number, amount: number): ConsumerRecord<TallyValue> => ({
  topic,
  partition: 0,
  offset,
  key: "A",
  value: { eventId: `e-${offset}`, account: "A", amount },
  timestamp: now,
  headers: {},
});

describe("outbox claims", () => {
  it("claims the alerts a fold adds for its invocation, takes over abandoned ones, and leaves live claims alone", () => {
    const stored: StateItem = {
      pk: "A",
      version: 3,
      state: { total: 25, events: [] },
      [`f:${topic}:0`]: 4,
      outbox: [alert("live"), alert("expired"), alert("unclaimed")],
      outboxClaims: {
        live: { by: "other-invocation", until: now + 1 },
        expired: { by: "crashed-invocation", until: now },
      },
      outboxSince: now - 60_000,
    };
    const owner = { id: "this-invocation", until: now + 70_000 };

    const fold = foldKey(tallyConsumer, { step: 10 }, "A", stored, [record(5, 6)], now, owner);

    expect(fold.next?.outboxClaims).toEqual({
      live: { by: "other-invocation", until: now + 1 },
      expired: { by: "this-invocation", until: now + 70_000 },
      unclaimed: { by: "this-invocation", until: now + 70_000 },
      [`tally:${topic}:0:5`]: { by: "this-invocation", until: now + 70_000 },
    });
    expect(claimedBy(fold.next!, owner.id).map((a) => a.alertId)).toEqual([
      "expired",
      "unclaimed",
      `tally:${topic}:0:5`,
    ]);
    expect(fold.next).toMatchObject({
      version: 4,
      outboxSince: now - 60_000,
      outboxShard: expect.any(String),
    });
  });

  it("writes no outbox attributes once nothing is pending", () => {
    const fold = foldKey(tallyConsumer, { step: 10 }, "A", undefined, [record(0, 3)], now, {
      id: "this-invocation",
      until: now + 70_000,
    });

    expect(Object.keys(fold.next!).filter((name) => name.startsWith("outbox"))).toEqual([]);
  });
});
