import { setTimeout as sleep } from "node:timers/promises";
import type { DeliveryContext, FaultInjector } from "../faults";
import type { InvocationOutcome } from "../lambda/local-function";
import { Notifier } from "./batch-wait";
import type { LogRecord, PartitionedLog } from "./log";

export interface PollerSettings {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 retries forever. */
  readonly maximumRetryAttempts: number;
  readonly reportBatchItemFailures: boolean;
  /** Pause before retrying records whose invocation failed `attempt` times. */
  readonly retryDelayMs: (attempt: number) => number;
}

export interface Delivery {
  readonly records: readonly LogRecord[];
  readonly context: DeliveryContext;
  /** Whether some of these records were delivered before. */
  readonly redelivery: boolean;
}

export interface PollerDependencies {
  readonly log: PartitionedLog;
  /** Invokes the function with the records; aborting `signal` kills the invocation. */
  deliver(delivery: Delivery, signal: AbortSignal): Promise<InvocationOutcome>;
  /** Sends the description of records given up on to the on-failure destination. */
  giveUp(records: readonly LogRecord[], invokeCount: number, last: InvocationOutcome): Promise<void>;
  readonly faults?: FaultInjector;
  /** Told about what the poller could not do (fetch or commit errors) while it keeps trying. */
  onError?(error: unknown): void;
}

/** A partition whose batch at the committed offset keeps failing: nothing past it is committed. */
export interface PartitionStall {
  readonly stream: string;
  readonly topic: string;
  readonly partition: number;
  /** The committed offset: the first record not applied. */
  readonly offset: number;
  /** When the first failed invocation of that batch ended. */
  readonly since: Date;
  /** Failed invocations since. */
  readonly failures: number;
  /** What the last one reported. */
  readonly reason: string;
}

interface Pending {
  readonly records: readonly LogRecord[];
  attempts: number;
}

/**
 * One partition of a Kafka event source mapping: fetches a batch from the committed offset, invokes, commits
 * only after success, retries a failed batch (bisecting it when configured) without limit when
 * `maximumRetryAttempts` is -1 (the partition is then stalled until it succeeds), else up to that many times
 * before handing it to `giveUp` and moving past it; honours partial batch responses. One batch is in flight
 * at a time, so the partition's order is kept.
 */
export class PartitionPoller {
  /** The committed next offset, once known. */
  committedOffset = -1;
  readonly progressed = new Notifier();
  private sequence = 0;
  private deliveredUpTo = -1;
  private nextBatchSize: number;
  private stallState: PartitionStall | undefined;

  constructor(
    private readonly settings: PollerSettings,
    private readonly deps: PollerDependencies,
  ) {
    this.nextBatchSize = settings.batchSize;
  }

  /** The partition's stall while its batch keeps failing; undefined once something past it is committed. */
  get stall(): PartitionStall | undefined {
    return this.stallState;
  }

  get stream(): string {
    return `${this.settings.group}/${this.settings.topic}-${this.settings.partition}`;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { log } = this.deps;
    const { group, topic, partition, batchingWindowMs } = this.settings;
    const started = await this.untilAnswered(signal, async () => {
      const committed = await log.committed(group, topic, partition);
      this.committedOffset = committed ?? (await log.beginningOffsets(topic))[partition] ?? 0;
    });
    if (!started) return;
    this.progressed.notify();
    let carried: { offset: number; attempts: number } | undefined;
    while (!signal.aborted) {
      let records: LogRecord[];
      try {
        records = await log.fetch({
          group,
          topic,
          partition,
          fromOffset: this.committedOffset,
          max: this.nextBatchSize,
          maxWaitMs: batchingWindowMs,
          signal,
        });
      } catch (error) {
        this.deps.onError?.(error);
        await sleep(500, undefined, { signal }).catch(() => {});
        continue;
      }
      if (signal.aborted || records.length === 0) continue;
      this.nextBatchSize = this.settings.batchSize;
      const attempts = carried?.offset === this.committedOffset ? carried.attempts : 0;
      carried = await this.deliverFetched(records, attempts, signal);
    }
  }

  /** Works through one fetched batch; returns the retry state of records to fetch again, if any. */
  private async deliverFetched(
    fetched: readonly LogRecord[],
    attempts: number,
    signal: AbortSignal,
  ): Promise<{ offset: number; attempts: number } | undefined> {
    const { bisectBatchOnFunctionError, maximumRetryAttempts } = this.settings;
    const pending: Pending[] = [{ records: fetched, attempts }];
    while (pending.length > 0 && !signal.aborted) {
      const batch = pending[0]!;
      const first = batch.records[0]!.offset;
      const last = batch.records.at(-1)!.offset;
      const context: DeliveryContext = {
        stream: this.stream,
        sequence: this.sequence++,
        attempt: batch.attempts,
        lastAttempt: maximumRetryAttempts >= 0 && batch.attempts >= maximumRetryAttempts,
      };
      const redelivery = first < this.deliveredUpTo;
      this.deliveredUpTo = Math.max(this.deliveredUpTo, last + 1);
      const outcome = await this.deps.deliver({ records: batch.records, context, redelivery }, signal);
      if (signal.aborted) return undefined; // a killed consumer commits nothing more
      const failedAt = this.failedOffset(outcome, batch.records);
      if (failedAt === undefined) {
        if (this.deps.faults?.redeliver(context)) {
          this.nextBatchSize = this.deps.faults.redeliveryBatchSize(context, this.settings.batchSize);
          return undefined;
        }
        await this.commit(last + 1, signal);
        pending.shift();
        continue;
      }
      if (failedAt > first) {
        await this.commit(failedAt, signal);
        return { offset: failedAt, attempts: 0 };
      }
      this.stalled(outcome);
      batch.attempts += 1;
      if (maximumRetryAttempts >= 0 && batch.attempts > maximumRetryAttempts) {
        await this.deps.giveUp(batch.records, batch.attempts, outcome);
        await this.commit(last + 1, signal);
        pending.shift();
        continue;
      }
      await sleep(this.settings.retryDelayMs(batch.attempts), undefined, { signal }).catch(() => {});
      if (bisectBatchOnFunctionError && outcome.status === "error" && batch.records.length > 1) {
        const half = Math.ceil(batch.records.length / 2);
        pending.splice(
          0,
          1,
          { records: batch.records.slice(0, half), attempts: batch.attempts },
          { records: batch.records.slice(half), attempts: batch.attempts },
        );
      }
    }
    return undefined;
  }

  /**
   * Undefined when the whole batch succeeded; otherwise the first offset to retry: the lowest offset the
   * function reported for this partition, or the batch's first offset for an error or a malformed report
   * (which Lambda treats as a failure of the whole batch).
   */
  private failedOffset(outcome: InvocationOutcome, records: readonly LogRecord[]): number | undefined {
    const first = records[0]!.offset;
    if (outcome.status === "error") return first;
    if (!this.settings.reportBatchItemFailures) return undefined;
    const failures = (outcome.result as { batchItemFailures?: unknown } | null | undefined)
      ?.batchItemFailures;
    if (failures === undefined || failures === null) return undefined;
    if (!Array.isArray(failures)) return first;
    if (failures.length === 0) return undefined;
    const partitionKey = `${this.settings.topic}-${this.settings.partition}`;
    const last = records.at(-1)!.offset;
    let lowest = Number.POSITIVE_INFINITY;
    for (const failure of failures) {
      const identifier = (failure as { itemIdentifier?: { partition?: unknown; offset?: unknown } } | null)
        ?.itemIdentifier;
      const offset = Number(identifier?.offset);
      const valid =
        identifier?.partition === partitionKey &&
        (typeof identifier.offset === "number" || typeof identifier.offset === "string") &&
        Number.isInteger(offset) &&
        offset >= first &&
        offset <= last;
      if (!valid) return first;
      lowest = Math.min(lowest, offset);
    }
    return lowest;
  }

  private stalled(outcome: InvocationOutcome): void {
    const reason = outcome.status === "error" ? outcome.error.message : "partial batch failure";
    const { topic, partition } = this.settings;
    this.stallState = {
      stream: this.stream,
      topic,
      partition,
      offset: this.committedOffset,
      since: this.stallState?.since ?? new Date(),
      failures: (this.stallState?.failures ?? 0) + 1,
      reason: reason.slice(0, 200),
    };
    this.progressed.notify();
  }

  private async commit(nextOffset: number, signal: AbortSignal): Promise<void> {
    const { group, topic, partition } = this.settings;
    if (!(await this.untilAnswered(signal, () => this.deps.log.commit(group, topic, partition, nextOffset))))
      return;
    if (nextOffset > this.committedOffset) this.stallState = undefined;
    this.committedOffset = nextOffset;
    this.progressed.notify();
  }

  /**
   * Calls the log until it answers, each failure reported and followed by a pause (200 ms more each time, at
   * most 2 s); false once `signal` aborts. The poller of a mapping runs as long as the mapping does, and a broker
   * that is restarting, or a consumer that crashed and is replaced, refuses commits and questions for seconds.
   */
  private async untilAnswered(signal: AbortSignal, call: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return false;
      try {
        await call();
        return true;
      } catch (error) {
        this.deps.onError?.(error);
        await sleep(Math.min(200 * attempt, 2_000), undefined, { signal }).catch(() => {});
      }
    }
  }
}
