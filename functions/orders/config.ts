import * as z from "zod";

/** The orders consumer's settings: CDK context `theworldshop:orders`, passed to the functions as environment. */
export const ordersSettingsSchema = z
  .object({
    /** A seller is in breach when cancelled / placed in the window is above this. */
    cancellationRate: z.number().gt(0).lt(1).default(0.2),
    /** …and at least this many orders were placed in the window. */
    minimumPlaced: z.number().int().positive().default(10),
    /**
     * How many minutes a seller's record may lag behind the seller's latest minute and still be evaluated
     * exactly: the seller window keeps 10 + lateMinutes one-minute buckets.
     */
    lateMinutes: z.number().int().nonnegative().max(50).default(5),
    /**
     * Partitions of `theworldshop.orders`, at least: the read API sums minute shards p0 … p(partitions − 1), and
     * a seller's cancellation rate sums the seller's window parts of as many partitions.
     */
    partitions: z.number().int().positive().max(1000).default(12),
  })
  .prefault({});

export type OrdersSettings = z.infer<typeof ordersSettingsSchema>;

/** What the reducers need (config C of the orders consumer). */
export type OrdersConfig = Pick<
  OrdersSettings,
  "cancellationRate" | "minimumPlaced" | "lateMinutes" | "partitions"
>;

/** The reducers' config out of the settings. */
export function ordersConfig({
  cancellationRate,
  minimumPlaced,
  lateMinutes,
  partitions,
}: OrdersSettings): OrdersConfig {
  return { cancellationRate, minimumPlaced, lateMinutes, partitions };
}

/** Environment variable per setting, as the CDK sets them and the functions read them. */
export const ORDERS_ENV = {
  cancellationRate: "ORDERS_CANCELLATION_RATE",
  minimumPlaced: "ORDERS_MINIMUM_PLACED",
  lateMinutes: "ORDERS_LATE_MINUTES",
  partitions: "ORDERS_PARTITIONS",
} as const satisfies Record<keyof OrdersSettings, string>;

/** Thrown when an orders setting in the environment is not valid. */
export class OrdersConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OrdersConfigError";
  }
}

/** The settings as environment variables for a function. */
export function ordersEnvironment(settings: OrdersSettings): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ORDERS_ENV).map(([setting, name]) => [
      name,
      String(settings[setting as keyof OrdersSettings]),
    ]),
  );
}

/** Reads the settings from the environment; an unset variable takes its default. */
export function ordersSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OrdersSettings {
  const raw: Record<string, number> = {};
  for (const [setting, name] of Object.entries(ORDERS_ENV)) {
    const text = env[name];
    if (text !== undefined && text !== "") raw[setting] = Number(text);
  }
  const parsed = ordersSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) =>
        `${ORDERS_ENV[issue.path[0] as keyof OrdersSettings] ?? issue.path.join(".")}: ${issue.message}`,
    );
    throw new OrdersConfigError(`invalid orders settings in the environment: ${problems.join("; ")}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
