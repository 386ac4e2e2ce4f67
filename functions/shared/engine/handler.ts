import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { optionalEnv, positiveIntegerEnv, requiredEnv } from "../env";
import { tracer as processTracer } from "../tracing";
import { defaultEngineClients, type EngineClients, type EngineStats } from "./clients";
import { decodeKafkaEvent, type KafkaEvent } from "./decode";
import {
  DEFAULT_KEY_CONCURRENCY,
  DEFAULT_KEYS_PER_WRITE,
  MAX_KEY_CONCURRENCY,
  MAX_KEYS_PER_WRITE,
} from "./key-settings";
import { DEFAULT_MAX_EVENT_TIME_AHEAD_MS } from "./plausible";
import { type KafkaBatchItemFailure, processBatch } from "./process-batch";
import { isRedriveEvent } from "./redrive";
import type { Consumer, EngineOptions } from "./types";

/** What the handler returns to the Kafka event source mapping. */
export interface KafkaBatchResponse {
  batchItemFailures: KafkaBatchItemFailure[];
  /** For a redrive only: the records rejected again (back on the queue with this reason). */
  rejected?: { topic: string; partition: number; offset: number; reason: string }[];
}

export interface HandlerDependencies {
  /** @default the process-wide clients of `defaultEngineClients()` */
  readonly clients?: EngineClients;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** @default the process's tracer (functions/shared/tracing.ts), which traces only inside Lambda */
  readonly tracer?: Tracer;
  /** Sees each batch's counts (tests, the local runtime, benchmarks). */
  readonly onBatch?: (stats: EngineStats) => void;
  /**
   * Processing time for outbox timestamps and claims (not for the time budget); replay passes its
   * event-time clock so that the outbox relay, run on event time, sees the same times.
   * @default Date.now
   */
  readonly clock?: () => number;
}

/** Time kept back from the invocation's budget to report partial failures before Lambda stops it. */
const SAFETY_MARGIN_MS = 3_000;
const DEFAULT_BUDGET_MS = 60_000;

const METRICS: ReadonlyArray<[keyof EngineStats, string]> = [
  ["records", "Records"],
  ["rejected", "RecordsRejected"],
  ["duplicatesSkipped", "DuplicatesSkipped"],
  ["writes", "StateWrites"],
  ["conflicts", "WriteConflicts"],
  ["alertsPublished", "AlertsPublished"],
  ["publishFailures", "AlertPublishFailures"],
  ["acknowledgeFailures", "OutboxAcknowledgeFailures"],
];

/** The environment the stack gives every consumer function. */
export function engineOptionsFromEnv<C>(config: C, env: NodeJS.ProcessEnv = process.env): EngineOptions<C> {
  const sideTables = Object.fromEntries(
    Object.entries(env)
      .filter(([name, value]) => name.startsWith("SIDE_TABLE_") && value)
      .map(([name, value]) => [name.slice("SIDE_TABLE_".length).toLowerCase(), value as string]),
  );
  return {
    config,
    tableName: requiredEnv("STATE_TABLE_NAME", env),
    sideTables,
    alertTopicArn: requiredEnv("ALERT_TOPIC_ARN", env),
    rejectedQueueUrl: requiredEnv("REJECTED_QUEUE_URL", env),
    topic: requiredEnv("KAFKA_TOPIC", env),
    maxEventTimeAheadMs:
      positiveIntegerEnv("MAX_EVENT_TIME_AHEAD_MINUTES", DEFAULT_MAX_EVENT_TIME_AHEAD_MS / 60_000, env) *
      60_000,
    keyConcurrency: positiveIntegerEnv("KEY_CONCURRENCY", DEFAULT_KEY_CONCURRENCY, env, MAX_KEY_CONCURRENCY),
    keysPerWrite: positiveIntegerEnv("KEYS_PER_WRITE", DEFAULT_KEYS_PER_WRITE, env, MAX_KEYS_PER_WRITE),
  };
}

/**
 * A Lambda handler for a Kafka event source mapping (MSK or self-managed) running `consumer` on the
 * exactly-once engine. `options` is called once, on the first invocation.
 */
export function createKafkaHandler<V, S, C>(
  consumer: Consumer<V, S, C>,
  options: () => EngineOptions<C>,
  dependencies: HandlerDependencies = {},
) {
  const logger = dependencies.logger ?? new Logger({ serviceName: consumer.name });
  // The stack's service name (the consumer's name there), which the stall alarm's metric dimension names.
  const serviceName = optionalEnv("POWERTOOLS_SERVICE_NAME", consumer.name);
  const metrics = dependencies.metrics ?? new Metrics({ serviceName, namespace: "TheWorldShop/Streaming" });
  const tracer = dependencies.tracer ?? processTracer;
  let resolved: EngineOptions<C> | undefined;

  const handle = async (event: KafkaEvent, context: Context): Promise<KafkaBatchResponse> => {
    resolved ??= options();
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS;
    const records = decodeKafkaEvent(event);
    const redrive = isRedriveEvent(event);
    // Annotations are indexed: X-Ray finds the traces of one consumer, one partition or the big batches.
    tracer.putAnnotation("consumer", consumer.name);
    tracer.putAnnotation("topicPartitions", Object.keys(event.records ?? {}).join(","));
    tracer.putAnnotation("batchSize", records.length);
    const start = Date.now();
    const outcome = await processBatch(consumer, resolved, records, {
      clients: dependencies.clients ?? defaultEngineClients(),
      deadline: start + Math.max(remaining - SAFETY_MARGIN_MS, remaining / 2),
      invocationEnd: start + remaining,
      clock: dependencies.clock,
      redrive,
    });
    const { stats } = outcome;
    stats.rejected = outcome.rejected.length;
    for (const [stat, name] of METRICS) metrics.addMetric(name, MetricUnit.Count, stats[stat]);
    // Invocations less errors less these are the batches that completed: none while lag waits is a stall.
    metrics.addMetric("BatchesIncomplete", MetricUnit.Count, outcome.batchItemFailures.length > 0 ? 1 : 0);
    for (const record of outcome.rejected) {
      logger.warn("record rejected", {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        reason: record.reason,
      });
    }
    for (const { key, error } of outcome.keyErrors)
      logger.error("state key not applied; reported for redelivery", { key, error });
    tracer.putMetadata("stats", stats);
    logger.debug("batch applied", { stats });
    dependencies.onBatch?.(stats);
    if (!redrive) return { batchItemFailures: outcome.batchItemFailures };
    const rejected = outcome.rejected.map(({ topic, partition, offset, reason }) => ({
      topic,
      partition,
      offset,
      reason,
    }));
    return { batchItemFailures: outcome.batchItemFailures, rejected };
  };

  return middy(handle)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
