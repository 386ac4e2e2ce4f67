import { type ChartSize, chartGeometry, type MinutePoint } from "./chart-geometry";
import { svg } from "./dom";
import { countOf, minuteOf } from "./format";

const HEIGHT = 250;
const MIN_WIDTH = 480;

/**
 * The orders-per-minute chart: bars for placed orders, a dashed line with markers for cancelled ones. Drawn
 * at the container's width (CSS pixels), so that text keeps its size whatever the screen.
 */
export function ordersChart(points: readonly MinutePoint[], width: number): SVGElement {
  const SIZE: ChartSize = { width: Math.max(MIN_WIDTH, Math.round(width)), height: HEIGHT };
  const geometry = chartGeometry(points, SIZE);
  const { plot } = geometry;
  const placedTotal = points.reduce((sum, p) => sum + p.placed, 0);
  const cancelledTotal = points.reduce((sum, p) => sum + p.cancelled, 0);
  const chart = svg("svg", {
    viewBox: `0 0 ${SIZE.width} ${SIZE.height}`,
    class: "chart",
    role: "img",
    "aria-label": `Orders per minute over the last ${points.length} minutes: ${placedTotal} placed, ${cancelledTotal} cancelled`,
  });
  for (const tick of geometry.yTicks) {
    chart.append(
      svg("line", { class: "grid", x1: plot.left, x2: plot.right, y1: tick.y, y2: tick.y }),
      svg(
        "text",
        { class: "axis-label", x: plot.left - 6, y: tick.y + 4, "text-anchor": "end" },
        countOf(tick.value),
      ),
    );
  }
  const last = geometry.bars.length - 1;
  geometry.bars.forEach((bar, index) => {
    const now = index === last;
    chart.append(
      svg(
        "rect",
        {
          class: now ? "bar bar-now" : "bar",
          x: bar.x,
          y: bar.y,
          width: bar.width,
          height: Math.max(bar.height, 0),
          "data-minute": bar.point.minute,
          "data-placed": bar.point.placed,
        },
        svg(
          "title",
          {},
          `${minuteOf(bar.point.minute)}${now ? " (this minute, still counting)" : ""}: ${bar.point.placed} placed, ${bar.point.cancelled} cancelled`,
        ),
      ),
    );
  });
  if (geometry.cancelled.length > 0) {
    const path = geometry.cancelled.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" ");
    chart.append(svg("path", { class: "cancelled-line", d: path }));
    geometry.cancelled.forEach((p, index) => {
      if (points[index]!.cancelled > 0)
        chart.append(svg("rect", { class: "cancelled-marker", x: p.x - 3, y: p.y - 3, width: 6, height: 6 }));
    });
  }
  chart.append(
    svg("line", { class: "axis", x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }),
  );
  for (const tick of geometry.xTicks) {
    const isNow = tick.minute === points.at(-1)?.minute;
    chart.append(
      svg(
        "text",
        { class: "axis-label", x: tick.x, y: plot.bottom + 18, "text-anchor": isNow ? "end" : "middle" },
        isNow ? `now ${minuteOf(tick.minute)}` : minuteOf(tick.minute),
      ),
    );
  }
  return chart;
}
