import { describe, expect, it } from "vitest";
import * as z from "zod";
import { foldKey } from "../../../functions/shared/engine/fold";
import type { StateItem } from "../../../functions/shared/engine/state-item";
import type { Consumer, ConsumerRecord } from "../../../functions/shared/engine/types";

const topic = "theworldshop.tally";
const now = Date.UTC(2026, 10, 20, 23, 3, 0);

interface Step {
  readonly eventId: string;
  readonly amount: number;
  /** Write this shared key instead of the flag (a consumer bug). */
  readonly writes?: string;
}

/** Adds amounts per partition; the flag `over` (shared by every partition) turns true once the sum seen passes 10. */
const flagging: Consumer<Step, number, unknown> = {
  name: "flagging",
  schema: z.object({ eventId: z.string(), amount: z.number(), writes: z.string().optional() }),
  stateKeys: (record) => [`sum#p${record.partition}`],
  sharedKeys: (_key, record) => ["over", `sum#p${1 - record.partition}`],
  reduce(_key, state, record, _config, shared = new Map()) {
    const total = (state ?? 0) + record.value.amount;
    const other = (shared.get(`sum#p${1 - record.partition}`) as number | undefined) ?? 0;
    const over = shared.get("over") === true;
    if (record.value.writes)
      return { state: total, sharedWrites: { [record.value.writes]: { state: true } } };
    if (over || total + other <= 10) return { state: total };
    return { state: total, sharedWrites: { over: { state: true, expiresAt: 123 } } };
  },
};

const step = (offset: number, amount: number, writes?: string): ConsumerRecord<Step> => ({
  topic,
  partition: 0,
  offset,
  key: null,
  value: { eventId: `e-${offset}`, amount, ...(writes && { writes }) },
  timestamp: now,
  headers: {},
});

/** Partition 0's sum folded, with the shared keys' items as given. */
const foldFlagging = (
  stored: StateItem | undefined,
  records: ConsumerRecord<Step>[],
  shared: ReadonlyMap<string, StateItem | undefined>,
) => foldKey(flagging, {}, "sum#p0", stored, records, now, undefined, false, shared);

/** The flag and partition 1's sum, neither written yet. */
const nothingShared = () =>
  new Map<string, StateItem | undefined>([
    ["over", undefined],
    ["sum#p1", undefined],
  ]);

describe("shared keys in a fold", () => {
  it("passes their states as read, lets a reduction change one, and shows the change to the records after it", () => {
    const shared = new Map<string, StateItem | undefined>([
      ["over", undefined],
      ["sum#p1", { pk: "sum#p1", version: 4, state: 6 }],
    ]);

    const fold = foldFlagging(undefined, [step(0, 3), step(1, 2), step(2, 7)], shared);

    // 3 + 6 and 5 + 6: the second passes 10 and turns the flag; the third sees it turned and writes nothing more.
    expect(fold.next?.state).toBe(12);
    expect(fold.sharedWrites).toEqual([
      { item: { pk: "over", version: 1, state: true, expiresAt: 123 }, readVersion: undefined },
    ]);
    // Shared keys carry no fences: only the key's own item does.
    expect(fold.next?.[`f:${topic}:0`]).toBe(2);
    expect(fold.sharedWrites[0]?.item[`f:${topic}:0`]).toBeUndefined();
  });

  it("writes nothing shared for records its fences skip, so a redelivery never turns a flag again", () => {
    const stored: StateItem = { pk: "sum#p0", version: 2, state: 12, [`f:${topic}:0`]: 2 };
    const shared = nothingShared();

    const fold = foldFlagging(stored, [step(1, 2), step(2, 7)], shared);

    expect(fold.next).toBeUndefined();
    expect(fold.sharedWrites).toEqual([]);
  });

  it("rejects a record whose reduction writes a key it did not name as shared, and applies the others", () => {
    const shared = nothingShared();

    const fold = foldFlagging(undefined, [step(0, 1, "elsewhere"), step(1, 2)], shared);

    expect(fold.failures).toEqual([
      {
        record: step(0, 1, "elsewhere"),
        reason: 'reducer failed: wrote shared key "elsewhere", not one of its sharedKeys',
      },
    ]);
    expect(fold.next?.state).toBe(2);
    expect(fold.sharedWrites).toEqual([]);
  });

  it("rejects a record whose reduction writes a shared key some record owns (it has fences), which a Put would wipe", () => {
    const shared = new Map<string, StateItem | undefined>([
      ["over", undefined],
      ["sum#p1", { pk: "sum#p1", version: 4, state: 6, [`f:${topic}:1`]: 40 }],
    ]);

    const fold = foldFlagging(undefined, [step(0, 1, "sum#p1")], shared);

    expect(fold.failures).toEqual([
      {
        record: step(0, 1, "sum#p1"),
        reason: 'reducer failed: wrote shared key "sum#p1", a state key of its own',
      },
    ]);
    expect(fold.sharedWrites).toEqual([]);
  });
});
