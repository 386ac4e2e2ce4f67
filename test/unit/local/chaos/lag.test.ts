import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LagWatch } from "../../../../local/chaos/lag";
import type { KafkaLog } from "../../../../local/event-source/kafka-log";
import type { KafkaMappingDefinition } from "../../../../local/event-source/mappings";

// A stand-in for the broker's offsets: the unit is when LagWatch calls a fault recovered, not Kafka.
function offsets() {
  const state = { end: 1_000, committed: 1_000 };
  const log = {
    endOffsets: async () => [state.end],
    committed: async () => state.committed,
  } as unknown as KafkaLog;
  return { state, log };
}

const mapping = {
  topics: ["theworldshop.orders"],
  consumerGroupId: "orders",
  batchingWindowMs: 0,
} as unknown as KafkaMappingDefinition;

describe("the chaos run's recovery time", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits until what the topics held after the fault is committed, though the lag was small throughout", async () => {
    const { state, log } = offsets();
    const watch = new LagWatch(log, [mapping], 200);
    let recoveredAfter: number | null | undefined;
    void watch.recovered(Date.now()).then((ms) => (recoveredAfter = ms));
    // The runtime is dead: 50 records arrive and nothing is committed; 50 is under the 200-record threshold.
    state.end = 1_050;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(recoveredAfter).toBeUndefined();
    // A new runtime commits what was there at the first measurement, while more arrives.
    state.committed = 1_050;
    state.end = 1_090;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(recoveredAfter).toBe(6_000);
    watch.stop();
  });

  it("does not call a lag over one second of traffic recovered", async () => {
    const { state, log } = offsets();
    const watch = new LagWatch(log, [mapping], 200);
    let recovered = false;
    state.end = 1_500;
    state.committed = 1_250;
    void watch.recovered(Date.now()).then(() => (recovered = true));
    await vi.advanceTimersByTimeAsync(3_000);
    // Everything held at the first measurement is committed, but 250 records behind is over 200.
    state.end = 1_750;
    state.committed = 1_500;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(recovered).toBe(false);
    state.committed = 1_600;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(recovered).toBe(true);
    watch.stop();
  });

  it("reports a recovery still awaited when the watch stops as never (null)", async () => {
    const { state, log } = offsets();
    const watch = new LagWatch(log, [mapping], 200);
    const recovery = watch.recovered(Date.now());
    state.end = 1_050;
    await vi.advanceTimersByTimeAsync(3_000);
    watch.stop();
    expect(await recovery).toBeNull();
  });
});
