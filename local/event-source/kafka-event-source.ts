import { setTimeout as sleep } from "node:timers/promises";
import type { FaultInjector } from "../faults";
import { buildKafkaEvent } from "../kafka-event";
import type { InvocationOutcome, LocalFunction } from "../lambda/local-function";
import type { InvocationHooks } from "../lambda/scope";
import { LOCAL_REGION } from "../services/endpoints";
import type { LogRecord, PartitionedLog } from "./log";
import { type KafkaMappingDefinition, MappingDefinitionError } from "./mappings";
import { kafkaFailureRecord } from "./on-failure";
import { type Delivery, PartitionPoller, type PartitionStall } from "./poller";

/** A batch the mapping gave up on after its retries: its records did not take effect. */
export interface GivenUpBatch {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly attempts: number;
  readonly reason: string;
}

export interface InvocationReport {
  readonly mapping: KafkaMappingDefinition;
  readonly delivery: Delivery;
  readonly outcome: InvocationOutcome;
}

export interface LocalKafkaEventSourceOptions {
  readonly definition: KafkaMappingDefinition;
  readonly function: LocalFunction;
  readonly log: PartitionedLog;
  /** Sends a failure record to the mapping's on-failure destination. */
  readonly onFailure?: (record: Record<string, unknown>) => Promise<void>;
  /**
   * Overrides the template's MaximumRetryAttempts (-1 there: never give up), so that a run which must end (the
   * replay) gives a batch up after that many retries, to `onGiveUp` rather than the on-failure destination.
   */
  readonly maximumRetryAttempts?: number;
  readonly onGiveUp?: (batch: GivenUpBatch) => void;
  /** Overrides of the template's batching, e.g. the replay's `--batch-size`. */
  readonly batchSize?: number;
  readonly batchingWindowMs?: number;
  /** @default 100 ms doubling per attempt, at most 2 s */
  readonly retryDelayMs?: (attempt: number) => number;
  readonly faults?: FaultInjector;
  /** The hooks of the invocation that delivers `delivery` (fault plans, meters). */
  readonly hooks?: (delivery: Delivery) => InvocationHooks | undefined;
  readonly onInvocation?: (report: InvocationReport) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * A Kafka event source mapping of the template, run locally: one poller per partition of its topics, each
 * invoking the function in process with the event AWS would send.
 */
export class LocalKafkaEventSource {
  readonly definition: KafkaMappingDefinition;
  private readonly pollers: {
    readonly topic: string;
    readonly partition: number;
    readonly poller: PartitionPoller;
  }[] = [];
  private readonly running: Promise<void>[] = [];
  private abort = new AbortController();
  private failure: unknown;

  constructor(private readonly options: LocalKafkaEventSourceOptions) {
    this.definition = options.definition;
  }

  /** Starts polling every partition of the mapping's topics from the consumer group's committed offsets. */
  async start(): Promise<void> {
    const { definition, log } = this.options;
    this.abort = new AbortController();
    for (const topic of definition.topics) {
      const partitions = await log.partitionCount(topic);
      for (let partition = 0; partition < partitions; partition++) {
        const poller = new PartitionPoller(
          {
            group: definition.consumerGroupId,
            topic,
            partition,
            batchSize: this.options.batchSize ?? definition.batchSize,
            batchingWindowMs: this.options.batchingWindowMs ?? definition.batchingWindowMs,
            bisectBatchOnFunctionError: definition.bisectBatchOnFunctionError,
            maximumRetryAttempts: this.options.maximumRetryAttempts ?? definition.maximumRetryAttempts,
            reportBatchItemFailures: definition.reportBatchItemFailures,
            retryDelayMs:
              this.options.retryDelayMs ?? ((attempt) => Math.min(2000, 100 * 2 ** (attempt - 1))),
          },
          {
            log,
            faults: this.options.faults,
            deliver: (delivery, signal) => this.deliver(delivery, signal),
            giveUp: (records, invokeCount, last) => this.giveUp(records, invokeCount, last),
            onError: this.options.onError,
          },
        );
        this.pollers.push({ topic, partition, poller });
        this.running.push(
          poller.run(this.abort.signal).catch((error: unknown) => {
            this.failure ??= error;
            this.options.onError?.(error);
          }),
        );
      }
    }
  }

  /** Stops polling at once; an invocation in flight is killed and its batch stays uncommitted. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.running);
    this.running.length = 0;
    this.pollers.length = 0;
    await this.options.log.release(this.definition.consumerGroupId);
  }

  /** The partitions whose batch keeps failing, with since when. */
  stalls(): PartitionStall[] {
    return this.pollers.flatMap(({ poller }) => (poller.stall ? [poller.stall] : []));
  }

  /** Resolves once every partition has committed up to its end offset (as of when it last looked). */
  async caughtUp(): Promise<void> {
    const { log } = this.options;
    for (;;) {
      if (this.failure) throw this.failure;
      let behind = false;
      for (const topic of this.definition.topics) {
        const ends = await log.endOffsets(topic);
        for (const entry of this.pollers) {
          if (entry.topic === topic && entry.poller.committedOffset < (ends[entry.partition] ?? 0))
            behind = true;
        }
      }
      if (!behind) return;
      await Promise.race([...this.pollers.map(({ poller }) => poller.progressed.changed()), sleep(200)]);
    }
  }

  private async deliver(delivery: Delivery, signal: AbortSignal): Promise<InvocationOutcome> {
    const event = this.event(delivery.records);
    const outcome = await this.options.function.invoke(event, {
      hooks: this.options.hooks?.(delivery),
      signal,
    });
    this.options.onInvocation?.({ mapping: this.definition, delivery, outcome });
    return outcome;
  }

  private async giveUp(
    records: readonly LogRecord[],
    invokeCount: number,
    last: InvocationOutcome,
  ): Promise<void> {
    if (this.options.onGiveUp) {
      const { topic, partition } = records[0]!;
      this.options.onGiveUp({
        topic,
        partition,
        firstOffset: records[0]!.offset,
        lastOffset: records.at(-1)!.offset,
        attempts: invokeCount,
        reason: last.status === "error" ? last.error.message.slice(0, 500) : "partial batch failure",
      });
      return;
    }
    const send = this.options.onFailure;
    const { functionName } = this.options.function.definition;
    const record = kafkaFailureRecord({
      functionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? LOCAL_REGION}:000000000000:function:${functionName}`,
      records,
      invokeCount,
      functionError: last.status === "error",
      eventSourceArn: this.definition.eventSourceArn,
      bootstrapServers: this.options.log.bootstrapServers,
      payloadSize: Buffer.byteLength(JSON.stringify(this.event(records))),
      at: new Date(),
    });
    if (!send) {
      this.options.onError?.(
        new MappingDefinitionError(`${this.definition.logicalId}: no on-failure destination; batch dropped`),
      );
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await send(record);
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(200 * attempt);
      }
    }
  }

  private event(records: readonly LogRecord[]) {
    return buildKafkaEvent(records, {
      eventSource: this.definition.eventSource,
      eventSourceArn: this.definition.eventSourceArn,
      bootstrapServers: this.options.log.bootstrapServers,
    });
  }
}
