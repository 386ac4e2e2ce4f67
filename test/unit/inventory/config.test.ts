import { describe, expect, it } from "vitest";
import {
  InventoryConfigError,
  inventoryConfigEnvironment,
  inventoryConfigFromEnv,
} from "../../../functions/inventory/config";

describe("inventory config from the environment", () => {
  it("defaults to threshold 10 and no overrides", () => {
    expect(inventoryConfigFromEnv({})).toEqual({ lowStockThreshold: 10, lowStockThresholds: {} });
  });

  it("reads the default threshold and per-product overrides", () => {
    const env = { LOW_STOCK_THRESHOLD: "12", LOW_STOCK_THRESHOLDS: '{ "P-1": 25, "P-2": 3 }' };
    expect(inventoryConfigFromEnv(env)).toEqual({
      lowStockThreshold: 12,
      lowStockThresholds: { "P-1": 25, "P-2": 3 },
    });
  });

  it("round-trips the environment the stack sets", () => {
    const config = { lowStockThreshold: 8, lowStockThresholds: { "P-1": 25 } };
    expect(inventoryConfigFromEnv(inventoryConfigEnvironment(config))).toEqual(config);
  });

  it.each([
    [{ LOW_STOCK_THRESHOLDS: "{not json" }, /LOW_STOCK_THRESHOLDS is not JSON/],
    [{ LOW_STOCK_THRESHOLDS: '{ "P-1": 0 }' }, /LOW_STOCK_THRESHOLDS\.P-1/],
    [{ LOW_STOCK_THRESHOLDS: '{ "P-1": 2.5 }' }, /LOW_STOCK_THRESHOLDS\.P-1/],
    [{ LOW_STOCK_THRESHOLDS: '{ "bad id": 5 }' }, /LOW_STOCK_THRESHOLDS/],
    [{ LOW_STOCK_THRESHOLD: "ten" }, /LOW_STOCK_THRESHOLD:/],
  ])("fails with the setting's name for %j", (env, message) => {
    expect(() => inventoryConfigFromEnv(env)).toThrow(InventoryConfigError);
    expect(() => inventoryConfigFromEnv(env)).toThrow(message);
  });
});
