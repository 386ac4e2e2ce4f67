import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import { defaultEngineClients, type EngineClients } from "../shared/engine/clients";
import { type RelayOptions, type RelayResult, relayOutboxes } from "./relay";

export interface RelayDependencies {
  /** @default the process-wide clients of `defaultEngineClients()` */
  readonly clients?: EngineClients;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** Time kept back from the invocation to publish what was claimed before Lambda stops it. */
const SAFETY_MARGIN_MS = 3_000;
const DEFAULT_BUDGET_MS = 60_000;
const SERVICE = "outboxRelay";

/**
 * The scheduled outbox relay (EventBridge, every minute): publishes alerts no batch will, on the time of the
 * scheduled event. `options` is called once, on the first invocation.
 */
export function createOutboxRelayHandler(options: () => RelayOptions, dependencies: RelayDependencies = {}) {
  const logger = dependencies.logger ?? new Logger({ serviceName: SERVICE });
  const metrics =
    dependencies.metrics ?? new Metrics({ serviceName: SERVICE, namespace: "TheWorldShop/Streaming" });
  let resolved: RelayOptions | undefined;

  const handle = async (event: ScheduledEvent, context: Context): Promise<RelayResult> => {
    resolved ??= options();
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS;
    const start = Date.now();
    const scheduled = Date.parse(event?.time ?? "");
    const result = await relayOutboxes(resolved, {
      clients: dependencies.clients ?? defaultEngineClients(),
      now: Number.isNaN(scheduled) ? start : scheduled,
      deadline: start + Math.max(remaining - SAFETY_MARGIN_MS, remaining / 2),
      invocationEnd: start + remaining,
    });
    metrics.addMetric("OutboxOldestAgeSeconds", MetricUnit.Seconds, result.oldestAgeSeconds);
    metrics.addMetric("OutboxAlertsRelayed", MetricUnit.Count, result.alertsPublished);
    metrics.addMetric(
      "OutboxRelayFailures",
      MetricUnit.Count,
      result.itemFailures + result.stats.publishFailures,
    );
    const { stats: _stats, ...summary } = result;
    logger.info("outbox relay run", { ...summary, tables: resolved.stateTables.length });
    return result;
  };

  return middy(handle).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
