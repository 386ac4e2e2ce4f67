import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { Duration, Token } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { ProvisionedPollerConfig, StartingPosition } from "aws-cdk-lib/aws-lambda";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { MAX_KEY_CONCURRENCY, MAX_KEYS_PER_WRITE } from "../../functions/shared/engine/key-settings";
import type { ConsumerTuning, KafkaSource } from "../config";
import type { StateTable } from "./state-table";

/** The repository root, where every `entry` is resolved. */
export const REPO_ROOT_PATH = new URL("../..", import.meta.url).pathname;

export interface KafkaConsumerProps {
  /** Handler source file, relative to the repository root (e.g. `functions/inventory/handler.ts`). */
  readonly entry: string;
  /** The Kafka topic this consumer reads. */
  readonly topic: string;
  /** The cluster the event source mapping polls. */
  readonly source: KafkaSource;
  /**
   * The secret the pollers authenticate with: SASL/SCRAM or basic credentials, or the mTLS client certificate
   * (`source.auth` says which). A self-managed source's root CA comes from `source.rootCaSecretArn`.
   * @default none: required unless the source is MSK with IAM auth or self-managed brokers with `"auth": "none"`
   */
  readonly secret?: ISecret;
  /** The state tables the engine reads and writes (`StateTable.grantEngine`); it gets access to these and no other. */
  readonly tables: readonly StateTable[];
  /**
   * Tables the reducer writes records to (decisions, ended sessions): PutItem only, in the engine's transaction.
   * @default none
   */
  readonly sideTables?: readonly ITableV2[];
  /** Where alerts are published. */
  readonly alertTopic: ITopic;
  /** Where records that fail their schema go, with their coordinates. */
  readonly rejectedRecords: IQueue;
  /**
   * Extra environment for the handler (table names and settings).
   * @default none beyond ALERT_TOPIC_ARN, REJECTED_QUEUE_URL and the Powertools settings
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Records per batch; the operator's `theworldshop:consumers.<consumer>.batchSize` overrides it.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the event source mapping gathers records before invoking; `maxBatchingWindowSeconds` in
   * `theworldshop:consumers.<consumer>` overrides it.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Memory of the function, MB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * The consumer's name in the shop's words, used for the Powertools service name, alarms and the dashboard.
   * @default the topic name without its `theworldshop.` prefix, other characters than letters, digits and '-' as '-'
   */
  readonly name?: string;
  /**
   * Kafka consumer group of the event source mapping; unique per consumer.
   * @default `theworldshop-<name>`
   */
  readonly consumerGroupId?: string;
  /**
   * Where a new consumer group starts reading.
   * @default StartingPosition.TRIM_HORIZON (every record the topic still retains)
   */
  readonly startingPosition?: StartingPosition;
  /**
   * Provisioned event pollers; the Kafka error-handling controls (retries, bisect) need them.
   * `minimumPollers` and `maximumPollers` in `theworldshop:consumers.<consumer>` override these.
   * @default { minimumPollers: 1, maximumPollers: 10 }
   */
  readonly pollers?: ProvisionedPollerConfig;
  /**
   * Function timeout.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * How far a record's `eventTime` may lie ahead of its Kafka timestamp before the engine rejects it.
   * @default the stack's `theworldshop:engine.maxEventTimeAheadMinutes`, else Duration.hours(1)
   */
  readonly maxEventTimeAhead?: Duration;
  /**
   * State keys the engine applies at once in a batch; `keyConcurrency` in `theworldshop:consumers.<consumer>`
   * overrides it.
   * @default 16
   */
  readonly keyConcurrency?: number;
  /**
   * State keys the engine writes in one TransactWriteItems call (1 writes each with its own PutItem; more share a
   * round trip at twice the write units); `keysPerWrite` in `theworldshop:consumers.<consumer>` overrides it.
   * @default 1
   */
  readonly keysPerWrite?: number;
  /**
   * Concurrency reserved for (and capping) the function.
   * @default none: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
}

/** Thrown when a KafkaConsumer prop is invalid; the message names the consumer and the prop. */
export class KafkaConsumerPropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KafkaConsumerPropsError";
  }
}

/** The consumer's props with what the operator set in `theworldshop:consumers` in place of its own values. */
export function withOperatorTuning(
  props: KafkaConsumerProps,
  tuning: ConsumerTuning | undefined,
): KafkaConsumerProps {
  if (!tuning) return props;
  return {
    ...props,
    batchSize: tuning.batchSize ?? props.batchSize,
    keyConcurrency: tuning.keyConcurrency ?? props.keyConcurrency,
    keysPerWrite: tuning.keysPerWrite ?? props.keysPerWrite,
    maxBatchingWindow:
      tuning.maxBatchingWindowSeconds === undefined
        ? props.maxBatchingWindow
        : Duration.seconds(tuning.maxBatchingWindowSeconds),
    pollers: {
      ...props.pollers,
      minimumPollers: tuning.minimumPollers ?? props.pollers?.minimumPollers,
      maximumPollers: tuning.maximumPollers ?? props.pollers?.maximumPollers,
    },
  };
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const CONSUMER_GROUP_ID = /^[A-Za-z0-9/*:_+=.@-]{1,200}$/;

/** Checks every prop before anything is created, so a mistake fails synth with the prop's name. */
export function validateKafkaConsumerProps(id: string, props: KafkaConsumerProps, name: string): void {
  const fail = (prop: string, problem: string) => {
    throw new KafkaConsumerPropsError(`KafkaConsumer ${id}: ${prop} ${problem}`);
  };
  const integerIn = (prop: string, value: number | undefined, min: number, max: number) => {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || value > max)
      fail(prop, `must be an integer from ${min} to ${max}, got ${value}`);
  };
  if (!props.entry || isAbsolute(props.entry))
    fail("entry", "must be a path relative to the repository root");
  if (!existsSync(join(REPO_ROOT_PATH, props.entry))) fail("entry", `names no file: ${props.entry}`);
  if (!TOPIC_NAME.test(props.topic)) fail("topic", `must be a Kafka topic name, got "${props.topic}"`);
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) fail("name", `must be letters, digits and '-', got "${name}"`);
  if (props.consumerGroupId !== undefined && !CONSUMER_GROUP_ID.test(props.consumerGroupId))
    fail("consumerGroupId", `must be 1–200 of [A-Za-z0-9/*:_+=.@-], got "${props.consumerGroupId}"`);
  if (props.tables.length === 0) fail("tables", "must hold at least the consumer's state table");
  integerIn("batchSize", props.batchSize, 1, 10_000);
  integerIn("memorySize", props.memorySize, 128, 10_240);
  integerIn("keyConcurrency", props.keyConcurrency, 1, MAX_KEY_CONCURRENCY);
  integerIn("keysPerWrite", props.keysPerWrite, 1, MAX_KEYS_PER_WRITE);
  integerIn("reservedConcurrentExecutions", props.reservedConcurrentExecutions, 1, 10_000);
  integerIn("pollers.minimumPollers", props.pollers?.minimumPollers, 1, 200);
  integerIn("pollers.maximumPollers", props.pollers?.maximumPollers, 1, 2000);
  if ((props.pollers?.minimumPollers ?? 1) > (props.pollers?.maximumPollers ?? 10))
    fail("pollers", "must have minimumPollers ≤ maximumPollers");
  const seconds = (prop: string, value: Duration | undefined, min: number, max: number) => {
    if (value === undefined || Token.isUnresolved(value.toSeconds())) return;
    const s = value.toSeconds();
    if (s < min || s > max) fail(prop, `must be from ${min} to ${max} seconds, got ${s}`);
  };
  seconds("maxBatchingWindow", props.maxBatchingWindow, 0, 300);
  seconds("timeout", props.timeout, 1, 900);
  seconds("maxEventTimeAhead", props.maxEventTimeAhead, 60, 7 * 24 * 3600);
  const ahead = props.maxEventTimeAhead?.toSeconds();
  // The function reads it as whole minutes.
  if (ahead !== undefined && !Token.isUnresolved(ahead) && ahead % 60 !== 0)
    fail("maxEventTimeAhead", `must be whole minutes, got ${ahead} seconds`);
  const { source, secret } = props;
  if (source.mode === "msk" && source.auth === "iam" && secret)
    fail(
      "secret",
      "must not be set for an MSK source with IAM auth (it would switch the pollers to SASL/SCRAM)",
    );
  if (source.mode === "msk" && source.auth !== "iam" && !secret)
    fail("secret", `is required for an MSK source with ${source.auth} auth`);
  if (source.mode === "self-managed" && source.auth === "none" && secret)
    fail("secret", 'must not be set for self-managed brokers with "auth": "none"');
  if (source.mode === "self-managed" && source.auth === "none" && !source.vpc)
    fail("source.auth", 'must not be "none" for brokers reached over the internet');
  if (source.mode === "self-managed" && source.auth !== "none" && !secret)
    fail(
      "secret",
      `is required for self-managed brokers with ${source.auth} auth (set "auth": "none" for brokers without authentication)`,
    );
}
