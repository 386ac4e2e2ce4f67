import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type GivenUpBatch,
  type InvocationReport,
  LocalKafkaEventSource,
} from "./event-source/kafka-event-source";
import type { PartitionedLog } from "./event-source/log";
import { MappingDefinitionError, templateKafkaMappings } from "./event-source/mappings";
import { failureDestination } from "./event-source/on-failure";
import type { Delivery, PartitionStall } from "./event-source/poller";
import { type FaultInjector, interceptAwsClients } from "./faults";
import { templateFunctions } from "./lambda/functions";
import { type InvocationOutcome, LocalFunction } from "./lambda/local-function";
import type { InvocationHooks } from "./lambda/scope";
import { awsClients, type LocalStackResources } from "./resources";
import { emptyStats, meterCall, meterInvocation } from "./runtime-stats";
import { type ScheduleDefinition, scheduledEvent, templateSchedules } from "./schedules";
import { endpointEnvironment, type ServiceEndpoints } from "./services/endpoints";
import type { CfnTemplate } from "./template";

export interface LocalRuntimeOptions {
  readonly template: CfnTemplate;
  /** The stack's resources created locally from the same template. */
  readonly resources: LocalStackResources;
  readonly endpoints: ServiceEndpoints;
  readonly log: PartitionedLog;
  /**
   * Partitions of each topic the runtime creates (existing topics keep theirs).
   * @default 3
   */
  readonly partitions?: number;
  /** Overrides every mapping's BatchSize. */
  readonly batchSize?: number;
  /** Overrides every mapping's MaximumBatchingWindowInSeconds, in milliseconds. */
  readonly batchingWindowMs?: number;
  readonly retryDelayMs?: (attempt: number) => number;
  /** Overrides every mapping's MaximumRetryAttempts; batches given up on then go to `onGiveUp`. */
  readonly maximumRetryAttempts?: number;
  readonly onGiveUp?: (batch: GivenUpBatch) => void;
  readonly faults?: FaultInjector;
  /** Environment variables over the template's, for every function. */
  readonly environmentOverrides?: Readonly<Record<string, string>>;
  readonly onInvocation?: (report: InvocationReport) => void;
  readonly onError?: (error: unknown, where: string) => void;
}

/** A scheduled invocation's result. */
export interface ScheduledRun {
  readonly schedule: string;
  readonly functionLogicalId: string;
  readonly outcome: InvocationOutcome;
}

const ROOT = join(import.meta.dirname, "..");
let runtimes = 0;

/**
 * The stack's compute, run locally from the synthesized template: every function that names its handler
 * source, every Kafka event source mapping (a poller per partition) and every scheduled rule.
 */
export class LocalRuntime {
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly eventSources: readonly LocalKafkaEventSource[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly stats = emptyStats();
  private readonly clients;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: LocalRuntimeOptions) {
    interceptAwsClients();
    const { template, resources } = options;
    const instance = `${process.pid}-${++runtimes}`;
    const mappings = templateKafkaMappings(template, resources.resolve);
    this.schedules = templateSchedules(template);
    // Only functions something triggers run locally; HTTP APIs and the like are not invoked here.
    const triggered = new Set([
      ...mappings.map((mapping) => mapping.functionLogicalId),
      ...this.schedules.flatMap((schedule) => schedule.targets.map((target) => target.functionLogicalId)),
    ]);
    const functions = new Map<string, LocalFunction>();
    for (const [logicalId, definition] of templateFunctions(template, resources.resolve, triggered)) {
      functions.set(
        logicalId,
        new LocalFunction(definition, {
          root: ROOT,
          instance,
          baseEnvironment: endpointEnvironment(options.endpoints),
          environmentOverrides: options.environmentOverrides,
        }),
      );
    }
    this.functions = functions;
    this.clients = awsClients(options.endpoints);
    this.eventSources = mappings.map((definition) => {
      const fn = functions.get(definition.functionLogicalId);
      if (!fn) {
        throw new MappingDefinitionError(
          `${definition.logicalId} invokes ${definition.functionLogicalId}, which names no handler entry`,
        );
      }
      return new LocalKafkaEventSource({
        definition,
        function: fn,
        log: options.log,
        onFailure: definition.onFailureDestination
          ? failureDestination(definition.onFailureDestination, resources, this.clients)
          : undefined,
        batchSize: options.batchSize,
        batchingWindowMs: options.batchingWindowMs,
        retryDelayMs: options.retryDelayMs,
        maximumRetryAttempts: options.maximumRetryAttempts,
        onGiveUp: options.onGiveUp,
        faults: options.faults,
        hooks: (delivery) => this.deliveryHooks(delivery),
        onInvocation: (report) => {
          meterInvocation(this.stats, report);
          options.onInvocation?.(report);
        },
        onError: (error) => options.onError?.(error, definition.logicalId),
      });
    });
  }

  /** The Kafka topics the event source mappings read. */
  topics(): string[] {
    return [...new Set(this.eventSources.flatMap((source) => source.definition.topics))].sort();
  }

  /** Creates the topics, imports every handler (so a broken one fails here) and starts the pollers. */
  async start(): Promise<void> {
    for (const topic of this.topics())
      await this.options.log.ensureTopic(topic, this.options.partitions ?? 3);
    for (const fn of this.functions.values()) await fn.load();
    for (const source of this.eventSources) await source.start();
  }

  /** Every partition whose batch keeps failing (nothing past it committed), by mapping. */
  stalls(): PartitionStall[] {
    return this.eventSources.flatMap((source) => source.stalls());
  }

  /** Resolves once every mapping has committed every record produced so far. */
  async caughtUp(): Promise<void> {
    await Promise.all(this.eventSources.map((source) => source.caughtUp()));
  }

  /** Runs every scheduled rule's targets on the wall clock (or `clock`), each rule at its rate. */
  startSchedules(clock: () => Date = () => new Date()): void {
    for (const schedule of this.schedules) {
      const timer = setInterval(() => {
        void this.runSchedule(schedule, clock(), 1, () => true).then((runs) => {
          for (const run of runs) {
            if (run.outcome.status === "error") this.options.onError?.(run.outcome.error, schedule.logicalId);
          }
        });
      }, schedule.periodMs);
      this.timers.push(timer);
    }
  }

  /**
   * Invokes every scheduled rule's targets once with the scheduled event of instant `now` (handlers take
   * "now" from `event.time`), one after another in logical-id order; a failed invocation is retried up to
   * `attempts` times in all, as EventBridge retries.
   */
  async runSchedules(
    now: Date,
    attempts = 3,
    only: (entry: string) => boolean = () => true,
  ): Promise<ScheduledRun[]> {
    const runs: ScheduledRun[] = [];
    for (const schedule of this.schedules)
      runs.push(...(await this.runSchedule(schedule, now, attempts, only)));
    return runs;
  }

  /** Stops the schedules and the pollers (an invocation in flight is killed) and closes the runtime's clients. */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all(this.eventSources.map((source) => source.stop()));
    this.clients.dynamodb.destroy();
    this.clients.sns.destroy();
    this.clients.sqs.destroy();
  }

  private async runSchedule(
    schedule: ScheduleDefinition,
    now: Date,
    attempts: number,
    only: (entry: string) => boolean,
  ): Promise<ScheduledRun[]> {
    const runs: ScheduledRun[] = [];
    for (const target of schedule.targets) {
      const fn = this.functions.get(target.functionLogicalId);
      if (!fn || !only(fn.definition.entry)) continue;
      const event = target.input ?? scheduledEvent(schedule, now);
      let outcome: InvocationOutcome;
      for (let attempt = 1; ; attempt++) {
        outcome = await fn.invoke(event, { hooks: this.meterHooks() });
        if (outcome.status === "ok" || attempt >= attempts) break;
        await sleep(100 * attempt);
      }
      runs.push({ schedule: schedule.logicalId, functionLogicalId: target.functionLogicalId, outcome });
    }
    return runs;
  }

  private deliveryHooks(delivery: Delivery): InvocationHooks {
    const faults = this.options.faults?.callFaults(delivery.context);
    return {
      beforeCall: (call) => {
        const plan = faults?.(call);
        return { ...plan, sent: () => meterCall(this.stats, call) };
      },
    };
  }

  private meterHooks(): InvocationHooks {
    return { beforeCall: (call) => ({ sent: () => meterCall(this.stats, call) }) };
  }
}
