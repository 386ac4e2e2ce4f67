import * as z from "zod";
import { cardVelocitySettingsSchema } from "../functions/card-velocity/config";
import { inventoryConfigSchema } from "../functions/inventory/config";
import { ordersSettingsSchema } from "../functions/orders/config";
import { sessionsSettingsSchema } from "../functions/sessions/config";
import { MAX_KEY_CONCURRENCY, MAX_KEYS_PER_WRITE } from "../functions/shared/engine/key-settings";
import { alertSubscriptionsSchema, opsSubscriptionsSchema } from "./config-subscriptions";
import { dashboardSettingsSchema } from "./dashboard-config";
import { EMULATORS } from "./emulator/adapt-template";

export type { CardVelocitySettings } from "../functions/card-velocity/config";
export type { SessionsSettings } from "../functions/sessions/config";
export type { AlertFilter, Subscription } from "./config-subscriptions";
export { cardVelocitySettingsSchema, sessionsSettingsSchema };

const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    "must be a Secrets Manager secret's complete ARN (…:secret:<name>-<6 characters>)",
  );
const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+/, "must be a KMS key ARN")
  .optional()
  .describe("the customer-managed key the Kafka secret is encrypted with, so the pollers may decrypt it");

/** How the pollers authenticate to MSK. */
export const MSK_AUTH = ["iam", "sasl-scram", "mtls"] as const;
/** How the pollers authenticate to self-managed brokers; `none` only inside a VPC, and only when spelt out. */
export const SELF_MANAGED_AUTH = ["sasl-scram-512", "sasl-scram-256", "basic", "mtls", "none"] as const;

/** An existing MSK cluster; the pollers authenticate with IAM, SASL/SCRAM credentials or a client certificate. */
const mskSource = z
  .strictObject({
    mode: z.literal("msk"),
    clusterArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/,
        "must be an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)",
      ),
    auth: z.enum(MSK_AUTH).default("iam"),
    /** `sasl-scram`: the cluster's `AmazonMSK_…` credentials secret; `mtls`: the client certificate secret. */
    secretArn: secretArn.optional(),
    secretKeyArn: kmsKeyArn,
  })
  .superRefine((source, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: "custom", path: [path], message });
    if (source.auth === "iam" && source.secretArn)
      issue("secretArn", "must not be set with auth iam (the pollers would switch to SASL/SCRAM)");
    if (source.auth !== "iam" && !source.secretArn)
      issue("secretArn", `is required when auth is ${source.auth}`);
    if (source.auth !== "sasl-scram") return;
    // MSK refuses SCRAM secrets under Secrets Manager's default key, and their names must start AmazonMSK_.
    if (!source.secretKeyArn)
      issue(
        "secretKeyArn",
        "is required when auth is sasl-scram: MSK accepts only SCRAM secrets encrypted with a customer-managed KMS key",
      );
    if (source.secretArn && !/:secret:AmazonMSK_/.test(source.secretArn))
      issue(
        "secretArn",
        "must name a secret whose name starts with AmazonMSK_ (MSK's rule for SCRAM secrets)",
      );
  });

/**
 * Self-managed brokers, reached over the internet or inside a VPC. Unauthenticated brokers need `"auth": "none"`
 * spelt out, inside a VPC only.
 */
const selfManagedSource = z
  .strictObject({
    mode: z.literal("self-managed"),
    bootstrapServers: z
      .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "must be host:port"))
      .min(1, "needs at least one broker"),
    auth: z.enum(SELF_MANAGED_AUTH).default("sasl-scram-512"),
    /**
     * SASL/basic: credentials `{ "username", "password" }` (over the internet, without it, the stack creates a
     * secret for the operator to fill in); `mtls`: the client certificate `{ "certificate", "privateKey" }`.
     */
    secretArn: secretArn.optional(),
    secretKeyArn: kmsKeyArn,
    /** The CA that signed the brokers' TLS certificates, when it is not a public one: `{ "certificate": "…" }`. */
    rootCaSecretArn: secretArn.optional(),
    rootCaSecretKeyArn: kmsKeyArn.describe("the customer-managed key the root CA secret is encrypted with"),
    /** Brokers inside a VPC: the pollers run in these subnets with this security group. */
    vpc: z
      .strictObject({
        vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id (vpc-…)"),
        subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id (subnet-…)")).min(1),
        securityGroupId: z.string().regex(/^sg-[0-9a-f]+$/, "must be a security group id (sg-…)"),
      })
      .optional(),
  })
  .superRefine((source, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: "custom", path: [path], message });
    if (source.auth === "none") {
      if (!source.vpc) issue("auth", 'must not be "none" for brokers reached over the internet (set vpc)');
      if (source.secretArn) issue("secretArn", 'must not be set with "auth": "none"');
      return;
    }
    if (source.auth === "mtls" && !source.secretArn)
      issue("secretArn", "is required when auth is mtls (the client certificate and its private key)");
    else if (source.vpc && !source.secretArn)
      issue(
        "secretArn",
        `is required when auth is ${source.auth} inside a VPC; for brokers without authentication set "auth": "none"`,
      );
  });

export const kafkaSourceSchema = z.discriminatedUnion("mode", [mskSource, selfManagedSource], {
  error: (issue) =>
    issue.input === undefined
      ? 'is required: { "mode": "msk", "clusterArn": … } or { "mode": "self-managed", "bootstrapServers": [ … ] }'
      : undefined,
});

const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, "must be a Kafka topic name (letters, digits, '.', '_', '-')");
const DEFAULT_TOPICS = {
  orders: "theworldshop.orders",
  inventory: "theworldshop.inventory",
  clicks: "theworldshop.clicks",
  fraudSignals: "theworldshop.fraud-signals",
} as const;
export const topicNamesSchema = z
  .strictObject({
    orders: topicName.default(DEFAULT_TOPICS.orders),
    inventory: topicName.default(DEFAULT_TOPICS.inventory),
    clicks: topicName.default(DEFAULT_TOPICS.clicks),
    fraudSignals: topicName.default(DEFAULT_TOPICS.fraudSignals),
  })
  .default(DEFAULT_TOPICS);

/**
 * How the operator tunes one consumer's event source mapping; each value set here overrides the consumer's own
 * (KafkaConsumer props), each left out keeps it.
 */
const consumerTuningSchema = z
  .strictObject({
    /** Records per invocation. */
    batchSize: z.number().int().min(1).max(10_000).optional(),
    /** How long the event source mapping gathers records before it invokes. */
    maxBatchingWindowSeconds: z.number().int().min(0).max(300).optional(),
    /** Provisioned pollers: the Kafka error-handling controls (retries, bisect, on-failure) need them. */
    minimumPollers: z.number().int().min(1).max(200).optional(),
    maximumPollers: z.number().int().min(1).max(2000).optional(),
    /** State keys the engine applies at once in a batch. */
    keyConcurrency: z.number().int().min(1).max(MAX_KEY_CONCURRENCY).optional(),
    /** State keys the engine writes in one TransactWriteItems call (1: a PutItem each). */
    keysPerWrite: z.number().int().min(1).max(MAX_KEYS_PER_WRITE).optional(),
  })
  .refine((t) => (t.minimumPollers ?? 1) <= (t.maximumPollers ?? t.minimumPollers ?? 1), {
    path: ["maximumPollers"],
    message: "must be at least minimumPollers",
  })
  .prefault({});
export const consumersSchema = z
  .strictObject({
    inventory: consumerTuningSchema,
    cardVelocity: consumerTuningSchema,
    orders: consumerTuningSchema,
    sessions: consumerTuningSchema,
  })
  .prefault({});
export type ConsumerTuning = z.infer<typeof consumerTuningSchema>;

/** The topic each consumer of `theworldshop:consumers` reads, so the stack can hand each KafkaConsumer its tuning. */
export function consumerTuningByTopic(config: StreamingConfig): ReadonlyMap<string, ConsumerTuning> {
  const { topics, consumers } = config;
  return new Map([
    [topics.inventory, consumers.inventory],
    [topics.fraudSignals, consumers.cardVelocity],
    [topics.orders, consumers.orders],
    [topics.clicks, consumers.sessions],
  ]);
}

/** What the exactly-once engine of every consumer accepts (docs/deploy.md). */
const DEFAULT_ENGINE = { maxEventTimeAheadMinutes: 60 } as const;
export const engineSettingsSchema = z
  .strictObject({
    /** How far a record's eventTime may lie ahead of its Kafka timestamp before the record is rejected. */
    maxEventTimeAheadMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(DEFAULT_ENGINE.maxEventTimeAheadMinutes),
  })
  .default(DEFAULT_ENGINE);
export type EngineSettings = z.infer<typeof engineSettingsSchema>;

/** Where the pipeline's alarms fire (docs/deploy.md says what each means). */
const DEFAULT_ALARMS = { offsetLag: 1000, outboxAgeSeconds: 300 } as const;
export const alarmsSchema = z
  .strictObject({
    /** Records a consumer group may lag behind its topic for 5 minutes before the alarm fires. */
    offsetLag: z.number().int().min(1).default(DEFAULT_ALARMS.offsetLag),
    /** Age of the oldest unpublished alert in any outbox before the alarm fires. */
    outboxAgeSeconds: z.number().int().min(60).default(DEFAULT_ALARMS.outboxAgeSeconds),
  })
  .default(DEFAULT_ALARMS);

export const streamingConfigSchema = z
  .strictObject({
    /** `prod` retains data and turns on deletion protection. */
    stage: z.enum(["dev", "prod"]).default("dev"),
    kafka: kafkaSourceSchema,
    topics: topicNamesSchema,
    consumers: consumersSchema,
    /** Low-stock threshold and per-product overrides: `{ "lowStockThreshold": 10, "lowStockThresholds": { "P-1": 25 } }`. */
    inventory: inventoryConfigSchema.prefault({}),
    /** Seller cancellation-rate thresholds and the orders topic's partition count. */
    orders: ordersSettingsSchema,
    /** Card velocity thresholds: `{ "maxTransactions": 5, "windowSeconds": 60 }`. */
    cardVelocity: cardVelocitySettingsSchema,
    /** Session gap: `{ "gapMinutes": 30 }`. */
    sessions: sessionsSettingsSchema,
    alarms: alarmsSchema,
    /** The engine's record checks: `{ "maxEventTimeAheadMinutes": 60 }`. */
    engine: engineSettingsSchema,
    /** Who gets the shop's alerts (low stock, fraud, cancellations), each optionally filtered. */
    alertSubscriptions: alertSubscriptionsSchema,
    /** Who gets the pipeline's alarms (lag, errors, failed batches). */
    opsSubscriptions: opsSubscriptionsSchema,
    /** Who may open the hosted ops dashboard: `{ "allowedCidrs": ["203.0.113.0/24"], "webAclArn"?: "…" }`. */
    dashboard: dashboardSettingsSchema.prefault({}),
    /** An AWS emulator to deploy to instead of AWS (docs/localstack.md): the template leaves out what it lacks. */
    emulator: z.enum(EMULATORS).optional(),
  })
  .superRefine((config, context) => {
    // Only a custom domain's certificate lets CloudFront refuse TLS 1.0 and 1.1 (docs/dashboard.md).
    if (config.stage === "prod" && !config.dashboard.domain && !config.emulator)
      context.addIssue({
        code: "custom",
        path: ["dashboard", "domain"],
        message:
          "is required when stage is prod: without a custom domain CloudFront's default certificate accepts TLS 1.0",
      });
  });

export type StreamingConfig = z.infer<typeof streamingConfigSchema>;
export type KafkaSource = z.infer<typeof kafkaSourceSchema>;

/** Context keys under which cdk.json (or `-c key=value`) holds each setting. */
export const CONTEXT_PREFIX = "theworldshop:";
/** Environment variables that override the context: `THEWORLDSHOP_ALERT_SUBSCRIPTIONS` for `alertSubscriptions`. */
export const ENV_PREFIX = "THEWORLDSHOP_";

/** The environment variable that holds a setting, e.g. `alertSubscriptions` → `THEWORLDSHOP_ALERT_SUBSCRIPTIONS`. */
export function envVariableOf(setting: string): string {
  return `${ENV_PREFIX}${setting.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/** Thrown when a setting is missing or invalid; the message names every bad setting. */
export class StreamingConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StreamingConfigError";
  }
}

/**
 * Reads every `theworldshop:*` setting from the context, or from its `THEWORLDSHOP_*` environment variable when
 * that is set (JSON strings allowed, as `-c` and the environment give them), into a validated config.
 * `contextKeys`, every context key there is, lets a misspelt `theworldshop:*` key fail too.
 */
export function parseStreamingConfig(
  tryGetContext: (key: string) => unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
  contextKeys: readonly string[] = [],
): StreamingConfig {
  const raw: Record<string, unknown> = {};
  const fromEnv = new Set<string>();
  const notJson = new Set<string>();
  const settings = Object.keys(streamingConfigSchema.shape);
  // A misspelt setting would otherwise be ignored and its default deployed.
  const problems = contextKeys
    .filter((key) => key.startsWith(CONTEXT_PREFIX) && !settings.includes(key.slice(CONTEXT_PREFIX.length)))
    .map((key) => `${key}: is no setting (settings: ${settings.join(", ")})`);
  for (const setting of settings) {
    const envValue = env[envVariableOf(setting)];
    const value =
      envValue !== undefined && envValue !== "" ? envValue : tryGetContext(`${CONTEXT_PREFIX}${setting}`);
    if (envValue !== undefined && envValue !== "") fromEnv.add(setting);
    if (value === undefined) continue;
    try {
      raw[setting] = typeof value === "string" && /^\s*[[{]/.test(value) ? JSON.parse(value) : value;
    } catch (error) {
      notJson.add(setting);
      problems.push(`${nameOf([setting], fromEnv)}: is not valid JSON (${(error as Error).message})`);
    }
  }
  const parsed = streamingConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (notJson.has(String(issue.path[0]))) continue;
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys)
          problems.push(`${nameOf([...issue.path, key], fromEnv)}: is no setting`);
        continue;
      }
      const message = issue.message.replace(
        /^Invalid input: expected \w+, received undefined$/,
        "is required",
      );
      problems.push(`${nameOf(issue.path, fromEnv)}: ${message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new StreamingConfigError(`invalid TheWorldShop streaming config:\n  ${problems.join("\n  ")}`, {
      cause: parsed.success ? undefined : parsed.error,
    });
  }
  return parsed.data;
}

function nameOf(path: readonly PropertyKey[], fromEnv: ReadonlySet<string>): string {
  const [setting = "", ...rest] = path.map(String);
  const name = `${CONTEXT_PREFIX}${[setting, ...rest].join(".")}`;
  return fromEnv.has(setting) ? `${name} (from ${envVariableOf(setting)})` : name;
}
