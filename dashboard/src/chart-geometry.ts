/** Where everything of the orders-per-minute chart goes, computed without a DOM (unit-testable). */

export interface MinutePoint {
  readonly minute: string;
  readonly placed: number;
  readonly cancelled: number;
}

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

export const MARGIN = { top: 14, right: 14, bottom: 30, left: 44 } as const;
/** Room, in chart units, that the current minute's label and its neighbour need not to overlap. */
const NOW_LABEL_WIDTH = 96;

export interface ChartGeometry {
  /** One bar per minute (placed orders), oldest first. */
  readonly bars: readonly { x: number; y: number; width: number; height: number; point: MinutePoint }[];
  /** The cancelled orders line, one vertex per minute. */
  readonly cancelled: readonly { x: number; y: number }[];
  /** Horizontal grid lines with their count labels, bottom up. */
  readonly yTicks: readonly { y: number; value: number }[];
  /** Minute labels along the bottom. */
  readonly xTicks: readonly { x: number; minute: string }[];
  readonly plot: {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
  readonly maxValue: number;
}

/** Axis maxima per power of ten whose quarters (the grid lines) are round numbers too. */
const NICE_STEPS = [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10] as const;

/** The smallest nice maximum at or above `value` (at least 4), so the chart uses most of its height. */
export function niceMax(value: number): number {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = NICE_STEPS.find((candidate) => candidate * magnitude >= value) ?? 10;
  return Math.round(step * magnitude * 1e6) / 1e6;
}

export function chartGeometry(points: readonly MinutePoint[], size: ChartSize): ChartGeometry {
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: size.width - MARGIN.right,
    bottom: size.height - MARGIN.bottom,
  };
  const plotWidth = plot.right - plot.left;
  const plotHeight = plot.bottom - plot.top;
  const maxValue = niceMax(Math.max(0, ...points.map((p) => Math.max(p.placed, p.cancelled))));
  const slot = points.length > 0 ? plotWidth / points.length : plotWidth;
  const barWidth = Math.max(1, slot * 0.72);
  const yOf = (value: number) => plot.bottom - (value / maxValue) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;
  const bars = points.map((point, index) => {
    const y = yOf(point.placed);
    return {
      x: round(plot.left + index * slot + (slot - barWidth) / 2),
      y: round(y),
      width: round(barWidth),
      height: round(plot.bottom - y),
      point,
    };
  });
  const cancelled = points.map((point, index) => ({
    x: round(plot.left + index * slot + slot / 2),
    y: round(yOf(point.cancelled)),
  }));
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((share) => ({
    y: round(yOf(share * maxValue)),
    value: share * maxValue,
  }));
  // A label every 10 minutes, on the minutes that are whole tens, and always the current minute.
  const xTicks = points.flatMap((point, index) => {
    const last = index === points.length - 1;
    const wholeTen = new Date(point.minute).getUTCMinutes() % 10 === 0;
    // The current minute's label ("now 23:03") ends at its bar and reaches this far to the left.
    const tooCloseToLast = !last && (points.length - 1 - index) * slot < NOW_LABEL_WIDTH;
    return (wholeTen && !tooCloseToLast) || last
      ? [{ x: round(plot.left + index * slot + slot / 2), minute: point.minute }]
      : [];
  });
  return { bars, cancelled, yTicks, xTicks, plot, maxValue };
}
