import { describe, expect, it } from "vitest";
import { chartGeometry, MARGIN, type MinutePoint, niceMax } from "../../../dashboard/src/chart-geometry";

const START = Date.parse("2026-12-01T10:00:00.000Z");
const minutes = (counts: readonly [number, number][]): MinutePoint[] =>
  counts.map(([placed, cancelled], i) => ({
    minute: new Date(START + i * 60_000).toISOString(),
    placed,
    cancelled,
  }));
const SIZE = { width: 820, height: 260 };

describe("the orders-per-minute chart geometry", () => {
  it("rounds the axis up to a maximum whose quarters are round numbers, at least 4", () => {
    expect([0, 3, 5, 7, 11, 20, 21, 99, 101, 290, 4_999].map(niceMax)).toEqual([
      4, 4, 5, 8, 12, 20, 24, 100, 120, 300, 5_000,
    ]);
  });

  it("draws one bar per minute, oldest first, with heights proportional to placed orders", () => {
    const geometry = chartGeometry(
      minutes([
        [10, 0],
        [20, 1],
        [0, 0],
        [5, 2],
      ]),
      SIZE,
    );
    const plotHeight = SIZE.height - MARGIN.top - MARGIN.bottom;
    expect(geometry.maxValue).toBe(20);
    expect(geometry.bars.map((bar) => bar.point.placed)).toEqual([10, 20, 0, 5]);
    expect(geometry.bars.map((bar) => bar.height)).toEqual([plotHeight / 2, plotHeight, 0, plotHeight / 4]);
    const xs = geometry.bars.map((bar) => bar.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    for (const bar of geometry.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(MARGIN.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(SIZE.width - MARGIN.right);
      expect(bar.y + bar.height).toBeCloseTo(SIZE.height - MARGIN.bottom, 5);
    }
  });

  it("puts the cancelled line's vertices at the cancelled counts, on the same scale", () => {
    const geometry = chartGeometry(
      minutes([
        [10, 10],
        [10, 0],
      ]),
      SIZE,
    );
    expect(geometry.cancelled[0]!.y).toBe(geometry.bars[0]!.y);
    expect(geometry.cancelled[1]!.y).toBe(SIZE.height - MARGIN.bottom);
  });

  it("labels whole ten minutes and the current minute along the bottom", () => {
    const hour = minutes(Array.from({ length: 60 }, () => [1, 0] as [number, number]));
    const labels = chartGeometry(hour, SIZE).xTicks.map((tick) => tick.minute.slice(11, 16));
    expect(labels).toEqual(["10:00", "10:10", "10:20", "10:30", "10:40", "10:50", "10:59"]);
  });

  it("leaves out a whole ten minutes' label that would run into the current minute's", () => {
    const hour = minutes(Array.from({ length: 65 }, () => [1, 0] as [number, number])).slice(5);
    const labels = chartGeometry(hour, SIZE).xTicks.map((tick) => tick.minute.slice(11, 16));
    expect(labels).toEqual(["10:10", "10:20", "10:30", "10:40", "10:50", "11:04"]);
  });
});
