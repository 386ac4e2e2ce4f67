import { mkdirSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runChaos } from "../../local/chaos/run";

// CI's chaos run: two minutes of seeded traffic through the runtime as its own process, with every kind of fault.
describe("the pipeline under real faults (npm run chaos, two minutes)", () => {
  it("loses nothing, doubles no state and rejects the same records as one fault-free fold of its input", async () => {
    const report = await runChaos({
      minutes: 2,
      rate: 200,
      seed: 1,
      partitions: 3,
      killsPerMinute: 4,
      onProgress: (line) => console.log(`chaos: ${line}`),
    });
    mkdirSync("test-output", { recursive: true });
    writeFileSync("test-output/chaos.json", `${JSON.stringify(report, null, 2)}\n`);
    expect(report.faults.kill).toBeGreaterThanOrEqual(8);
    expect(report.faults.brokerRestart).toBeGreaterThanOrEqual(1);
    expect(report.faults.throttle).toBeGreaterThanOrEqual(1);
    expect(report.faults.rebalance).toBeGreaterThanOrEqual(1);
    expect(report.records).toBeGreaterThan(15_000);
    expect(report.recordsMismatch).toBe(0);
    expect(report.mismatches).toEqual([]);
    expect(report.stateMismatches).toBe(0);
    expect(report.alerts.expected).toBeGreaterThan(0);
    expect(report.alerts.lost).toBe(0);
    expect(report.alerts.unexpected).toBe(0);
    expect(report.rejected.expected).toBeGreaterThan(0);
    expect(report.rejected.differing).toBe(0);
    expect(report.uncommittedPartitions).toBe(0);
    expect(report.recoverySeconds).toHaveLength(report.faults.kill + report.faults.brokerRestart);
    expect(report.crashes).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
  });
});
