import * as z from "zod";
import { inventoryConfigSchema } from "../functions/inventory/config";
import { ordersSettingsSchema } from "../functions/orders/config";
import { dashboardSettingsSchema } from "./dashboard-config";

/** The Kafka cluster the consumers read from: an MSK cluster, or self-managed brokers. */
const mskSource = z.object({
  mode: z.literal("msk"),
  /** ARN of an existing MSK cluster. */
  clusterArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/.+/, "must be an MSK cluster ARN"),
  /** How the Lambda pollers authenticate: IAM, or SASL/SCRAM with a Secrets Manager secret. */
  auth: z.enum(["iam", "sasl-scram"]).default("iam"),
  secretArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:/, "must be a Secrets Manager ARN")
    .optional(),
});

const selfManagedSource = z.object({
  mode: z.literal("self-managed"),
  bootstrapServers: z
    .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "must be host:port"))
    .min(1, "needs at least one broker"),
  secretArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:/, "must be a Secrets Manager ARN")
    .optional(),
});

export const kafkaSourceSchema = z.discriminatedUnion("mode", [mskSource, selfManagedSource]);

export const topicNamesSchema = z
  .object({
    orders: z.string().min(1).default("theworldshop.orders"),
    inventory: z.string().min(1).default("theworldshop.inventory"),
    clicks: z.string().min(1).default("theworldshop.clicks"),
    fraudSignals: z.string().min(1).default("theworldshop.fraud-signals"),
  })
  .default({
    orders: "theworldshop.orders",
    inventory: "theworldshop.inventory",
    clicks: "theworldshop.clicks",
    fraudSignals: "theworldshop.fraud-signals",
  });

export const streamingConfigSchema = z.object({
  /** `prod` retains data and turns on deletion protection. */
  stage: z.enum(["dev", "prod"]).default("dev"),
  kafka: kafkaSourceSchema,
  topics: topicNamesSchema,
  /** Low-stock threshold and per-product overrides: `{ "lowStockThreshold": 10, "lowStockThresholds": { "P-1": 25 } }`. */
  inventory: inventoryConfigSchema.prefault({}),
  /** Seller cancellation-rate thresholds and the orders topic's partition count. */
  orders: ordersSettingsSchema,
  /** Who may open the hosted ops dashboard: `{ "allowedCidrs": ["203.0.113.0/24"], "webAclArn"?: "…" }`. */
  dashboard: dashboardSettingsSchema.prefault({}),
});

export type StreamingConfig = z.infer<typeof streamingConfigSchema>;
export type KafkaSource = z.infer<typeof kafkaSourceSchema>;

/** Context keys under which cdk.json (or `-c key=value`) holds each setting. */
export const CONTEXT_PREFIX = "theworldshop:";

/** Thrown when a setting is missing or invalid; the message names every bad setting. */
export class StreamingConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StreamingConfigError";
  }
}

/** Reads `theworldshop:*` context values (JSON strings allowed, as `-c` gives them) into a validated config. */
export function parseStreamingConfig(tryGetContext: (key: string) => unknown): StreamingConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(streamingConfigSchema.shape)) {
    const value = tryGetContext(`${CONTEXT_PREFIX}${key}`);
    if (value !== undefined)
      raw[key] = typeof value === "string" && /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  const parsed = streamingConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${CONTEXT_PREFIX}${issue.path.join(".")}: ${issue.message}`,
    );
    throw new StreamingConfigError(`invalid TheWorldShop streaming config:\n  ${problems.join("\n  ")}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
