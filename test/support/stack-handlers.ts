import type { Context } from "aws-lambda";
import { cardVelocityConfigFromEnv } from "../../functions/card-velocity/config";
import { cardVelocityConsumer } from "../../functions/card-velocity/consumer";
import { inventoryConfigFromEnv } from "../../functions/inventory/config";
import { inventoryConsumer } from "../../functions/inventory/consumer";
import { ordersConfig, ordersSettingsFromEnv } from "../../functions/orders/config";
import { ordersConsumer } from "../../functions/orders/consumer";
import { sessionsConfigFromEnv } from "../../functions/sessions/config";
import { sessionsConsumer } from "../../functions/sessions/consumer";
import { createKafkaHandler, engineOptionsFromEnv } from "../../functions/shared/engine/handler";
import { templateFunction } from "../../local/function-env";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import type { LocalStackResources } from "../../local/resources";
import { resourcesOfType } from "../../local/template";
import { stackTemplate } from "./stack";

type KafkaHandler = ReturnType<typeof createKafkaHandler>;

/** Each Kafka consumer's config as its functions/<name>/handler.ts reads it from its environment. */
export const CONSUMER_CONFIGS: Readonly<Record<string, (env: Record<string, string>) => unknown>> = {
  "functions/inventory/handler.ts": (env) => inventoryConfigFromEnv(env),
  "functions/card-velocity/handler.ts": (env) => cardVelocityConfigFromEnv(env),
  "functions/orders/handler.ts": (env) => ordersConfig(ordersSettingsFromEnv(env)),
  "functions/sessions/handler.ts": (env) => sessionsConfigFromEnv(env),
};

/**
 * Each Kafka consumer's handler exactly as its functions/<name>/handler.ts builds it, but reading the
 * environment the template gives that function (resolved locally), so that all of them run in one process.
 */
const HANDLERS: Readonly<Record<string, (env: Record<string, string>) => KafkaHandler>> = {
  "functions/inventory/handler.ts": (env) =>
    createKafkaHandler(inventoryConsumer, () => engineOptionsFromEnv(inventoryConfigFromEnv(env), env)),
  "functions/card-velocity/handler.ts": (env) =>
    createKafkaHandler(cardVelocityConsumer, () => engineOptionsFromEnv(cardVelocityConfigFromEnv(env), env)),
  "functions/orders/handler.ts": (env) =>
    createKafkaHandler(ordersConsumer, () =>
      engineOptionsFromEnv(ordersConfig(ordersSettingsFromEnv(env)), env),
    ),
  "functions/sessions/handler.ts": (env) =>
    createKafkaHandler(sessionsConsumer, () => engineOptionsFromEnv(sessionsConfigFromEnv(env), env)),
};

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

/** A record to deliver: the partition and offset are assigned per topic-partition as a Kafka log would. */
export interface TopicRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Record<string, unknown>;
  readonly timestamp: number;
}

/**
 * The stack's Kafka consumers driven directly: records grouped by topic and delivered in batches to the
 * handler the template's event source mapping for that topic invokes.
 */
export class StackConsumers {
  private readonly handlers = new Map<string, KafkaHandler>();
  private readonly offsets = new Map<string, number>();

  constructor(
    resources: LocalStackResources,
    private readonly partitions = 3,
  ) {
    const template = stackTemplate();
    const consumers = Object.entries(HANDLERS).map(([entry, build]) => {
      const { logicalId, environment } = templateFunction(template, resources, entry);
      return { logicalId, handler: build({ ...environment }) };
    });
    for (const [, mapping] of resourcesOfType(template, "AWS::Lambda::EventSourceMapping")) {
      const props = mapping.Properties ?? {};
      const functionLogicalId = (props.FunctionName as { Ref?: string } | undefined)?.Ref;
      const consumer = consumers.find((candidate) => candidate.logicalId === functionLogicalId);
      if (!consumer) continue;
      for (const topic of (props.Topics as string[] | undefined) ?? [])
        this.handlers.set(topic, consumer.handler);
    }
  }

  /** Delivers `records` per topic in batches of `batchSize`; throws when a handler reports a failure. */
  async deliver(records: readonly TopicRecord[], batchSize = 200): Promise<void> {
    const byTopic = new Map<string, RawKafkaRecord[]>();
    for (const record of records) {
      const partition = partitionOf(record.key, this.partitions);
      const coordinates = `${record.topic}-${partition}`;
      const offset = this.offsets.get(coordinates) ?? 0;
      this.offsets.set(coordinates, offset + 1);
      const raw: RawKafkaRecord = {
        topic: record.topic,
        partition,
        offset,
        key: record.key,
        value: JSON.stringify(record.value),
        timestamp: record.timestamp,
      };
      byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), raw]);
    }
    for (const [topic, topicRecords] of byTopic) {
      const handler = this.handlers.get(topic);
      if (!handler) throw new Error(`no consumer of the stack reads ${topic}`);
      for (let start = 0; start < topicRecords.length; start += batchSize) {
        const batch = topicRecords.slice(start, start + batchSize);
        const response = await handler(buildKafkaEvent(batch), context);
        if (response.batchItemFailures.length > 0)
          throw new Error(`${topic}: the consumer reported ${JSON.stringify(response.batchItemFailures)}`);
      }
    }
  }
}

/** A stable partition per key, as a keyed producer spreads records. */
function partitionOf(key: string, partitions: number): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % partitions;
}
