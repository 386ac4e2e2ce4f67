import { randomUUID } from "node:crypto";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { StreamingConfig } from "../../lib/config";
import { OUTBOX_RELAY_ENTRY } from "../../lib/constructs/outbox-relay";
import { type ReceivedAlert, subscribeAlertInbox } from "../alert-inbox";
import { KafkaLog } from "../event-source/kafka-log";
import type { PartitionedLog, RecordPosition } from "../event-source/log";
import { MemoryLog } from "../event-source/memory-log";
import { FaultInjector, type FaultRates, NO_FAULTS } from "../faults";
import { drainQueue } from "../queues";
import { awsClients, createStackResources } from "../resources";
import { LocalRuntime } from "../runtime";
import { type LocalServices, startLocalServices } from "../services";
import type { ServiceEndpoints } from "../services/endpoints";
import { type CfnTemplate, localStreamingConfig, synthesizeTemplate } from "../template";
import { ReplayInputError, type ReplayRecord } from "./input";
import { readSections, type SectionContext, type StateSections } from "./sections";

export interface ReplayOptions {
  readonly records: readonly ReplayRecord[];
  /** @default 3 */
  readonly partitions?: number;
  /** Overrides every event source mapping's BatchSize. */
  readonly batchSize?: number;
  readonly faults?: FaultRates;
  /** @default 1 */
  readonly seed?: string | number;
  /** The in-process log instead of a Kafka broker. */
  readonly embedded?: boolean;
  /** Services to use; by default they are started (or taken from AWS_ENDPOINT_URL and KAFKA_BROKERS). */
  readonly endpoints?: ServiceEndpoints;
  /** @default the synthesized stack */
  readonly template?: CfnTemplate;
  /** @default the topics of the config the stack is synthesized from */
  readonly topics?: StreamingConfig["topics"];
  readonly onProgress?: (message: string) => void;
  /**
   * Retries of a failing batch before the replay gives it up (the stack never does) so that it terminates;
   * given-up batches are listed in `failedBatches`.
   * @default 1000
   */
  readonly maxRetries?: number;
  /** Reads more of the replay's state (e.g. the seller windows) before its runtime stops. */
  readonly inspect?: (context: SectionContext) => Promise<void>;
}

/** A batch the replay gave up on after `maxRetries`: its records did not take effect. */
export interface FailedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly reason: string;
}

export interface ReplayAlert {
  readonly alertId: string;
  readonly alertType: string;
  readonly subjectId: string;
  readonly eventTime: string;
  readonly message: string;
}

export interface RejectedSummary {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly reason: string;
}

export interface ReplayResult extends StateSections {
  readonly alerts: ReplayAlert[];
  readonly rejected: RejectedSummary[];
  /** Empty when every batch took effect. */
  readonly failedBatches: FailedBatch[];
  readonly stats: {
    readonly records: number;
    readonly batches: number;
    readonly redeliveries: number;
    readonly crashes: number;
    readonly dynamodb: { readonly reads: number; readonly writes: number };
    readonly sns: { readonly publishes: number };
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Thrown when a replay cannot run or its scheduled functions keep failing. */
export class ReplayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReplayError";
  }
}

/**
 * Replays records through the stack's consumers exactly as deployed (from the synthesized template), on event
 * time, with optional faults; when everything drained, runs the scheduled functions once at the greatest
 * event time of the accepted records and reads what the shop would see: alerts, state, rejected records.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const progress = options.onProgress ?? (() => {});
  const partitions = options.partitions ?? 3;
  const template = options.template ?? synthesizeTemplate();
  const topics = options.topics ?? localStreamingConfig().topics;
  let services: LocalServices | undefined;
  if (!options.endpoints) {
    progress("starting local services");
    services = await startLocalServices({ aws: true, kafka: !options.embedded });
  }
  const endpoints = options.endpoints ?? services!.endpoints;
  const clients = awsClients(endpoints);
  let log: PartitionedLog | undefined;
  let runtime: LocalRuntime | undefined;
  const failedBatches: FailedBatch[] = [];
  try {
    if (!options.embedded && endpoints.kafkaBrokers.length === 0) {
      throw new ReplayError("no Kafka brokers to replay on: pass --embedded or set KAFKA_BROKERS");
    }
    log = options.embedded ? new MemoryLog() : new KafkaLog(endpoints.kafkaBrokers, "theworldshop-replay");
    const resources = await createStackResources(template, endpoints, `replay-${randomUUID().slice(0, 8)}`);
    const inbox = await subscribeAlertInbox(resources, clients, "replay-alerts");
    runtime = new LocalRuntime({
      template,
      resources,
      endpoints,
      log,
      partitions,
      batchSize: options.batchSize,
      batchingWindowMs: 0,
      retryDelayMs: () => 0,
      maximumRetryAttempts: options.maxRetries ?? 1000,
      onGiveUp: ({ topic, partition, firstOffset, lastOffset, reason }) =>
        failedBatches.push({ topic, partition, firstOffset, lastOffset, reason }),
      faults: new FaultInjector(options.faults ?? NO_FAULTS, options.seed ?? 1),
      environmentOverrides: {
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "SILENT",
        POWERTOOLS_METRICS_DISABLED: "true",
      },
    });
    const inputTopics = [...new Set([...options.records.map((record) => record.topic), ...runtime.topics()])];
    await prepareTopics(log, inputTopics, partitions, !options.embedded);
    progress(`producing ${options.records.length} records`);
    const positions = await produceAll(log, options.records, partitions);
    progress(`consuming with ${runtime.eventSources.length} event source mappings`);
    await runtime.start();
    await runtime.caughtUp();
    const rejected = await collectRejected(runtime, clients.sqs);
    const now = latestAcceptedEventTime(options.records, positions, rejected);
    if (now !== undefined) {
      progress(`running ${runtime.schedules.length} schedules at ${new Date(now).toISOString()}`);
      const runs = [
        ...(await runtime.runSchedules(new Date(now))),
        // Outbox claims and ages are processing time: the relay runs once more as a day later would, when every
        // invocation of the replay has long ended and no alert is still claimed by one that died.
        ...(await runtime.runSchedules(
          new Date(Date.now() + DAY_MS),
          3,
          (entry) => entry === OUTBOX_RELAY_ENTRY,
        )),
      ];
      for (const run of runs) {
        if (run.outcome.status === "error") {
          throw new ReplayError(`scheduled ${run.functionLogicalId} failed`, { cause: run.outcome.error });
        }
      }
    }
    const alerts = dedupeAlerts(await inbox.drain());
    const consumers = new Map(
      runtime.eventSources.flatMap((source) =>
        source.definition.topics.map((topic) => [
          topic,
          runtime!.functions.get(source.definition.functionLogicalId),
        ]),
      ),
    );
    const context: SectionContext = {
      consumerOf: (topic) => consumers.get(topic)?.definition,
      topics,
      dynamodb: DynamoDBDocumentClient.from(clients.dynamodb),
      now,
    };
    const sections = await readSections(context);
    await options.inspect?.(context);
    const { stats } = runtime;
    return {
      alerts,
      ...sections,
      rejected,
      failedBatches: failedBatches.sort(
        (a, b) =>
          a.topic.localeCompare(b.topic) || a.partition - b.partition || a.firstOffset - b.firstOffset,
      ),
      stats: {
        records: options.records.length,
        batches: stats.batches,
        redeliveries: stats.redeliveries,
        crashes: stats.crashes,
        dynamodb: { ...stats.dynamodb },
        sns: { ...stats.sns },
      },
    };
  } finally {
    await runtime?.stop();
    await log?.close();
    clients.dynamodb.destroy();
    clients.sns.destroy();
    clients.sqs.destroy();
    await services?.stop();
  }
}

async function prepareTopics(
  log: PartitionedLog,
  topics: readonly string[],
  partitions: number,
  broker: boolean,
) {
  for (const topic of topics) {
    await log.ensureTopic(topic, partitions);
    if (!broker) continue;
    // A replay's result is only its input's: a broker topic must start empty, with the asked-for partitions.
    const ends = await log.endOffsets(topic);
    if (ends.length !== partitions || ends.some((end) => end > 0)) {
      throw new ReplayError(
        `Kafka topic ${topic} already exists with ${ends.length} partitions and ${ends.reduce((a, b) => a + b, 0)} records; replay on a fresh broker or with --embedded`,
      );
    }
  }
}

/** Produces the records in input order, topic by topic; returns where each went, in input order. */
async function produceAll(
  log: PartitionedLog,
  records: readonly ReplayRecord[],
  partitions: number,
): Promise<RecordPosition[]> {
  for (const record of records) {
    if (record.partition !== undefined && record.partition >= partitions) {
      throw new ReplayInputError(
        `line ${record.line}: partition ${record.partition} ≥ --partitions ${partitions}`,
      );
    }
  }
  const positions: RecordPosition[] = new Array(records.length);
  for (const topic of new Set(records.map((record) => record.topic))) {
    const indexes = records.flatMap((record, index) => (record.topic === topic ? [index] : []));
    for (let start = 0; start < indexes.length; start += 1000) {
      const chunk = indexes.slice(start, start + 1000);
      const placed = await log.produce(
        topic,
        chunk.map((index) => {
          const { key, value, partition, timestamp } = records[index]!;
          return { key, value, partition, timestamp };
        }),
      );
      chunk.forEach((index, position) => {
        positions[index] = placed[position]!;
      });
    }
  }
  return positions;
}

/** The rejected records on the runtime's rejected queues (drained), once per coordinates, in coordinate order. */
export async function collectRejected(runtime: LocalRuntime, sqs: ReturnType<typeof awsClients>["sqs"]) {
  const queues = new Set(
    [...runtime.functions.values()].map((fn) => fn.definition.environment.REJECTED_QUEUE_URL).filter(Boolean),
  );
  const byCoordinates = new Map<string, RejectedSummary>();
  for (const queueUrl of queues) {
    for (const message of await drainQueue(sqs, queueUrl!)) {
      const body = JSON.parse(message.Body ?? "{}") as Partial<RejectedSummary>;
      const rejected = {
        topic: String(body.topic),
        partition: Number(body.partition),
        offset: Number(body.offset),
        reason: String(body.reason),
      };
      // A redelivered poison record is sent again with the same coordinates.
      byCoordinates.set(`${rejected.topic}/${rejected.partition}/${rejected.offset}`, rejected);
    }
  }
  return [...byCoordinates.values()].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
}

/** The greatest event time among the records no consumer rejected: the replay's "now". */
function latestAcceptedEventTime(
  records: readonly ReplayRecord[],
  positions: readonly RecordPosition[],
  rejected: readonly RejectedSummary[],
): number | undefined {
  const refused = new Set(rejected.map((entry) => `${entry.topic}/${entry.partition}/${entry.offset}`));
  let latest: number | undefined;
  records.forEach((record, index) => {
    const position = positions[index]!;
    if (record.eventTime === undefined) return;
    if (refused.has(`${record.topic}/${position.partition}/${position.offset}`)) return;
    latest = Math.max(latest ?? record.eventTime, record.eventTime);
  });
  return latest;
}

function dedupeAlerts(received: readonly ReceivedAlert[]): ReplayAlert[] {
  const byId = new Map<string, ReplayAlert>();
  for (const { alertId, alertType, subjectId, eventTime, message } of received) {
    // A crash between the SNS publish and the outbox acknowledgement repeats an alert with the same id.
    if (!byId.has(alertId)) byId.set(alertId, { alertId, alertType, subjectId, eventTime, message });
  }
  return [...byId.values()].sort((a, b) => (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0));
}
