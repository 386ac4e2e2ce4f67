import { describe, expect, it } from "vitest";
import { inventoryConsumer } from "../../../functions/inventory/consumer";
import type { InventoryValue } from "../../../functions/inventory/schema";
import { STOCK_ALERT_INDEX, stockIndexAttributes } from "../../../functions/inventory/stock-index";
import type { ConsumerRecord } from "../../../functions/shared/engine/types";

const config = { lowStockThreshold: 10, lowStockThresholds: {} };
let offset = 0;
const snapshot = (quantity: number, eventTime: string): ConsumerRecord<InventoryValue> => ({
  topic: "theworldshop.inventory",
  partition: 0,
  offset: offset++,
  key: "P-007",
  timestamp: Date.parse(eventTime),
  headers: {},
  value: { eventId: `E-${offset}`, productId: "P-007", quantity, eventTime, productName: "Blue mug" },
});

describe("the stock-alert index attributes", () => {
  it("lists a product while LOW_STOCK or OUT_OF_STOCK, with its quantity, name and report time", () => {
    expect(
      stockIndexAttributes({
        quantity: 3,
        status: "LOW_STOCK",
        asOf: "2026-12-01T23:03:00Z",
        productName: "Blue mug",
      }),
    ).toEqual({
      [STOCK_ALERT_INDEX.partitionKey]: "LOW_STOCK",
      [STOCK_ALERT_INDEX.sortKey]: "2026-12-01T23:03:00.000Z",
      [STOCK_ALERT_INDEX.quantity]: 3,
      [STOCK_ALERT_INDEX.productName]: "Blue mug",
    });
    expect(
      stockIndexAttributes({ quantity: 0, status: "OUT_OF_STOCK", asOf: "2026-12-01T23:03:00Z" }),
    ).toMatchObject({
      [STOCK_ALERT_INDEX.partitionKey]: "OUT_OF_STOCK",
    });
  });

  it("leaves an IN_STOCK product out of the index", () => {
    expect(stockIndexAttributes({ quantity: 50, status: "IN_STOCK", asOf: "2026-12-01T23:03:00Z" })).toEqual(
      {},
    );
  });

  it("is restated by every inventory reduction, a stale snapshot included, so the engine keeps it", () => {
    const low = inventoryConsumer.reduce("P-007", undefined, snapshot(4, "2026-12-01T23:03:00Z"), config);
    expect(low.indexAttributes).toMatchObject({ stockAlert: "LOW_STOCK", stockQuantity: 4 });
    const stale = inventoryConsumer.reduce("P-007", low.state, snapshot(500, "2026-12-01T22:00:00Z"), config);
    expect(stale.state.status).toBe("LOW_STOCK");
    expect(stale.indexAttributes).toEqual(low.indexAttributes);
    const restocked = inventoryConsumer.reduce(
      "P-007",
      low.state,
      snapshot(80, "2026-12-01T23:10:00Z"),
      config,
    );
    expect(restocked.indexAttributes).toEqual({});
  });
});
