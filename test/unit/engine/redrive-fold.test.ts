import { describe, expect, it } from "vitest";
import { sessionsConfig } from "../../../functions/sessions/config";
import { sessionsConsumer } from "../../../functions/sessions/consumer";
import type { Click } from "../../../functions/sessions/schema";
import { foldKey } from "../../../functions/shared/engine/fold";
import {
  MAX_REDRIVE_MARKERS,
  prunedMarkers,
  REDRIVE_MARKER_RETENTION_MS,
  REDRIVE_MARKERS_ATTRIBUTE,
} from "../../../functions/shared/engine/redrive";
import type { StateItem } from "../../../functions/shared/engine/state-item";
import type { ConsumerRecord } from "../../../functions/shared/engine/types";

const TOPIC = "theworldshop.clicks";
const NOW = Date.parse("2026-12-02T13:00:00.000Z");

const click = (offset: number, minute: number): ConsumerRecord<Click> => {
  const eventTime = new Date(Date.UTC(2026, 10, 20, 23, minute)).toISOString();
  return {
    topic: TOPIC,
    partition: 0,
    offset,
    key: "U-1",
    value: { eventId: `C-${offset}`, userId: "U-1", page: "/p", eventTime } as Click,
    timestamp: Date.parse(eventTime),
    headers: {},
  };
};

const fold = (stored: StateItem | undefined, records: ConsumerRecord<Click>[], redrive: boolean) =>
  foldKey(sessionsConsumer, sessionsConfig, "U-1", stored, records, NOW, undefined, redrive);

describe("a redriven record in the engine's fold", () => {
  // Live: clicks at 23:10 and 23:20 (offsets 5, 9); the click at 23:05 (offset 3) was rejected.
  const live = fold(undefined, [click(5, 10), click(9, 20)], false).next!;

  it("is applied below the fence, leaves the fence where it is and marks the key; a late click moves the session's start back", () => {
    const redriven = fold(live, [click(3, 5)], true);

    expect(redriven.applied).toBe(1);
    expect(redriven.next![`f:${TOPIC}:0`]).toBe(9);
    expect(redriven.next![REDRIVE_MARKERS_ATTRIBUTE]).toEqual({ [`${TOPIC}:0:3`]: NOW });
    expect(redriven.next!.state).toMatchObject({
      active: { start: "2026-11-20T23:05:00.000Z", lastClick: "2026-11-20T23:20:00.000Z", clicks: 3 },
    });
  });

  it("is applied once: a second redrive and a live redelivery of the same record are duplicates", () => {
    const once = fold(live, [click(3, 5)], true).next!;

    const again = fold(once, [click(3, 5)], true);
    expect(again).toMatchObject({ applied: 0, duplicates: 1 });
    expect(again.next).toBeUndefined();
    const belowFence = { ...once, [`f:${TOPIC}:0`]: 2 };
    const replayed = fold(belowFence, [click(3, 5)], false);
    expect(replayed).toMatchObject({ applied: 0, duplicates: 1 });
    expect(replayed.next![`f:${TOPIC}:0`]).toBe(3);
    expect(replayed.next!.state).toEqual(once.state);
  });

  it("keeps markers for the queue's retention and at most MAX_REDRIVE_MARKERS of them, the newest", () => {
    const markers = Object.fromEntries(
      Array.from({ length: MAX_REDRIVE_MARKERS + 5 }, (_, i) => [`${TOPIC}:0:${i}`, NOW - i]),
    );
    const kept = prunedMarkers({ ...markers, old: NOW - REDRIVE_MARKER_RETENTION_MS }, NOW);

    expect(Object.keys(kept)).toHaveLength(MAX_REDRIVE_MARKERS);
    expect(kept[`${TOPIC}:0:0`]).toBe(NOW);
    expect(kept[`${TOPIC}:0:${MAX_REDRIVE_MARKERS}`]).toBeUndefined();
    expect(kept.old).toBeUndefined();
  });
});
