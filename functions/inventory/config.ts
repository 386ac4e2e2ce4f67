import * as z from "zod";
import { productIdSchema } from "./schema";

export const DEFAULT_LOW_STOCK_THRESHOLD = 10;

const threshold = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** The inventory consumer's settings: the low-stock threshold T, and per-product overrides of it. */
export const inventoryConfigSchema = z.object({
  /** T: a quantity q with 0 < q < T is LOW_STOCK, q ≥ T is IN_STOCK. */
  lowStockThreshold: threshold.default(DEFAULT_LOW_STOCK_THRESHOLD),
  /** T per product id, for products whose normal stock is far above or below the default's. */
  lowStockThresholds: z.record(productIdSchema, threshold).default({}),
});

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;

/** Environment variables through which the stack hands the config to the consumer function. */
export const INVENTORY_ENV = {
  lowStockThreshold: "LOW_STOCK_THRESHOLD",
  lowStockThresholds: "LOW_STOCK_THRESHOLDS",
} as const;

/** Thrown when the consumer's environment holds an invalid threshold setting. */
export class InventoryConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InventoryConfigError";
  }
}

/** The threshold that applies to `productId`. */
export function lowStockThresholdOf(productId: string, config: InventoryConfig): number {
  // Object.hasOwn: a product called "constructor" must not find Object.prototype's.
  return Object.hasOwn(config.lowStockThresholds, productId)
    ? config.lowStockThresholds[productId]!
    : config.lowStockThreshold;
}

/** Environment values for a config, as the stack sets them on the consumer function. */
export function inventoryConfigEnvironment(config: InventoryConfig): Record<string, string> {
  return {
    [INVENTORY_ENV.lowStockThreshold]: String(config.lowStockThreshold),
    [INVENTORY_ENV.lowStockThresholds]: JSON.stringify(config.lowStockThresholds),
  };
}

/** Reads and validates the config from `LOW_STOCK_THRESHOLD` and `LOW_STOCK_THRESHOLDS` (JSON, `{ "P-1": 25 }`). */
export function inventoryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  const raw: Record<string, unknown> = {};
  const single = env[INVENTORY_ENV.lowStockThreshold];
  if (single !== undefined && single !== "") raw.lowStockThreshold = Number(single);
  const overrides = env[INVENTORY_ENV.lowStockThresholds];
  if (overrides !== undefined && overrides !== "") {
    try {
      raw.lowStockThresholds = JSON.parse(overrides);
    } catch (error) {
      throw new InventoryConfigError(`${INVENTORY_ENV.lowStockThresholds} is not JSON: ${overrides}`, {
        cause: error,
      });
    }
  }
  const parsed = inventoryConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const [setting, ...rest] = issue.path.map(String);
      const name = INVENTORY_ENV[setting as keyof typeof INVENTORY_ENV] ?? setting;
      return `${[name, ...rest].join(".")}: ${issue.message}`;
    });
    throw new InventoryConfigError(`invalid inventory config in the environment: ${problems.join("; ")}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
