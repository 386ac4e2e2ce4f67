import { describe, expect, it } from "vitest";
import { AWS_LATENCY, latencySampler } from "../../../bench/aws-latency";
import { SeededRandom } from "../../../local/random";

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

describe("B6's simulated AWS latency", () => {
  it.each(Object.entries(AWS_LATENCY))(
    "draws %s latencies with the configured median and p99",
    (_, wanted) => {
      const draw = latencySampler(wanted, new SeededRandom("latency-test"));
      const draws = Array.from({ length: 100_000 }, draw).sort((a, b) => a - b);
      expect(quantile(draws, 0.5)).toBeCloseTo(wanted.medianMs, 0);
      expect(Math.abs(quantile(draws, 0.99) / wanted.p99Ms - 1)).toBeLessThan(0.05);
      expect(draws[0]).toBeGreaterThan(0);
    },
  );

  it("waits alike in two runs with the same seed", () => {
    const first = latencySampler(AWS_LATENCY.dynamodb, new SeededRandom("b6", "orders", 6));
    const second = latencySampler(AWS_LATENCY.dynamodb, new SeededRandom("b6", "orders", 6));
    expect(Array.from({ length: 5 }, first)).toEqual(Array.from({ length: 5 }, second));
  });
});
