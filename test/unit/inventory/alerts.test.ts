import { describe, expect, it } from "vitest";
import { fold, snapshot } from "./records";

describe("inventory alert messages", () => {
  it("says which product ran out, when, and how much sold in the last 10 minutes", () => {
    const { alerts } = fold([
      snapshot(57, "2026-12-01T22:55:00Z", { productName: "Blue mug" }),
      snapshot(30, "2026-12-01T23:00:00Z"),
      snapshot(0, "2026-12-01T23:03:12Z"),
    ]);

    expect(alerts.map((a) => a.message)).toEqual([
      "P-123 'Blue mug' is out of stock as of 23:03:12 UTC; last 10 minutes sold 57",
    ]);
    expect(alerts[0]?.details).toMatchObject({
      productId: "P-123",
      productName: "Blue mug",
      quantity: 0,
      previousStatus: "IN_STOCK",
      status: "OUT_OF_STOCK",
      soldLast10Minutes: 57,
    });
  });

  it("names the product by id alone when no snapshot gave its name", () => {
    const { alerts } = fold([
      snapshot(50, "2026-12-01T23:00:00Z"),
      snapshot(4, "2026-12-01T23:01:30Z", { warehouseId: "W-7" }),
    ]);

    expect(alerts[0]?.message).toBe(
      "P-123 is low on stock: 4 left (threshold 10) as of 23:01:30 UTC; last 10 minutes sold 46",
    );
    expect(alerts[0]?.details).toMatchObject({ warehouseId: "W-7", previousStatus: "IN_STOCK" });
  });

  it("tells when a product is back in stock and how many are available", () => {
    const { alerts } = fold([snapshot(0, "2026-12-01T23:00:00Z"), snapshot(120, "2026-12-02T08:15:00Z")]);

    expect(alerts.map((a) => a.message)).toEqual([
      "P-123 is out of stock as of 23:00:00 UTC; last 10 minutes sold 0",
      "P-123 is back in stock: 120 available as of 08:15:00 UTC",
    ]);
  });

  it("gives a new product no previous status in the details", () => {
    const { alerts } = fold([snapshot(3, "2026-12-01T23:00:00Z")]);
    expect(alerts[0]?.details).toMatchObject({ previousStatus: null, status: "LOW_STOCK" });
  });
});

describe("inventory recent sales", () => {
  it("counts only decreases within the last 10 minutes of event time, restocks not as sales", () => {
    const { state, alerts } = fold([
      snapshot(100, "2026-12-01T23:00:00Z"),
      snapshot(90, "2026-12-01T23:00:05Z"), // 10 sold, more than 10 minutes before the last record
      snapshot(200, "2026-12-01T23:05:00Z"), // a restock
      snapshot(150, "2026-12-01T23:10:06Z"), // 50 sold
      snapshot(0, "2026-12-01T23:10:10Z"), // 150 sold
    ]);

    expect(alerts.at(-1)?.details).toMatchObject({ soldLast10Minutes: 200 });
    expect(state?.recentSales).toEqual([
      { second: Date.parse("2026-12-01T23:10:06Z") / 1000, sold: 50 },
      { second: Date.parse("2026-12-01T23:10:10Z") / 1000, sold: 150 },
    ]);
  });

  it("excludes a sale exactly 10 minutes before and includes one just after", () => {
    const { alerts } = fold([
      snapshot(100, "2026-12-01T23:00:00Z"),
      snapshot(90, "2026-12-01T23:00:01Z"), // 10 sold at t − 10 min: outside (t − 10 min, t]
      snapshot(80, "2026-12-01T23:00:02Z"), // 10 sold inside
      snapshot(0, "2026-12-01T23:10:01Z"), // 80 sold
    ]);

    expect(alerts.at(-1)?.details).toMatchObject({ soldLast10Minutes: 90 });
  });

  it("keeps at most one entry per second however many sales arrive", () => {
    const records = Array.from({ length: 3000 }, (_, i) =>
      snapshot(100_000 - i, new Date(Date.parse("2026-12-01T23:00:00Z") + i * 250).toISOString()),
    );

    const { state } = fold(records);

    expect(state?.recentSales.length).toBe(600);
    // The last 600 whole seconds, four sales of one unit each.
    expect(state?.recentSales.reduce((sum, entry) => sum + entry.sold, 0)).toBe(2400);
  });
});
