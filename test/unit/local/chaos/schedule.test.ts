import { describe, expect, it } from "vitest";
import { chaosSchedule, FAULT_KIND_NAMES } from "../../../../local/chaos/schedule";

describe("the chaos run's fault schedule", () => {
  it("gives the default five minutes 20 kills, 2 broker restarts, 2 throttling windows and 2 rebalances", () => {
    const faults = chaosSchedule({ minutes: 5, seed: 1 });
    const count = (kind: string) => faults.filter((fault) => fault.kind === kind).length;
    expect(count("kill")).toBe(20);
    expect(count("brokerRestart")).toBe(2);
    expect(count("throttle")).toBe(2);
    expect(count("rebalance")).toBe(2);
  });

  it("gives CI's two minutes every kind of fault at least once", () => {
    const faults = chaosSchedule({ minutes: 2, seed: 7 });
    for (const kind of FAULT_KIND_NAMES) expect(faults.some((fault) => fault.kind === kind)).toBe(true);
  });

  it("keeps the first and last ten seconds free of faults, in time order", () => {
    const minutes = 3;
    const faults = chaosSchedule({ minutes, seed: 3 });
    const times = faults.map((fault) => fault.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(minutes * 60_000 - 10_000);
  });

  it("is the same for a seed and differs between seeds", () => {
    expect(chaosSchedule({ minutes: 5, seed: 4 })).toEqual(chaosSchedule({ minutes: 5, seed: 4 }));
    expect(chaosSchedule({ minutes: 5, seed: 4 })).not.toEqual(chaosSchedule({ minutes: 5, seed: 5 }));
  });

  it("arms kills for state writes, publishes and commits as well as killing at any instant", () => {
    const moments = new Set(
      chaosSchedule({ minutes: 5, seed: 1 }).flatMap((fault) =>
        fault.kind === "kill" ? [fault.moment] : [],
      ),
    );
    expect([...moments].sort()).toEqual(["anytime", "commit", "publish", "state-write"]);
  });

  it("takes --kills-per-minute", () => {
    const kills = chaosSchedule({ minutes: 10, seed: 1, killsPerMinute: 0.5 }).filter(
      (f) => f.kind === "kill",
    );
    expect(kills).toHaveLength(5);
  });
});
