import type { KafkaLog } from "../event-source/kafka-log";
import type { KafkaMappingDefinition } from "../event-source/mappings";

/** How often the lag is measured. */
const SAMPLE_MS = 1_000;

/**
 * The consumer groups' lag (records produced and not committed, over every mapping's partitions), measured
 * through the broker as an operator's monitor would: a measurement that fails (the broker is restarting) is
 * skipped.
 */
export class LagWatch {
  private readonly timer: NodeJS.Timeout;
  private readonly waiters: {
    since: number;
    resolve: (ms: number | null) => void;
    /** The end of every partition at the first measurement after the fault: what must be committed. */
    marks?: Map<string, number>;
  }[] = [];
  private sampling = false;
  private readonly began = Date.now();
  /** Records: one second of traffic beyond what the batching windows hold by design. */
  readonly threshold: number;
  /** The lag every five seconds, for the report. */
  readonly series: { second: number; lag: number }[] = [];

  constructor(
    private readonly log: KafkaLog,
    private readonly mappings: readonly KafkaMappingDefinition[],
    /** Records per second over every topic. */
    rate: number,
  ) {
    const window = Math.max(0, ...mappings.map((mapping) => mapping.batchingWindowMs)) / 1000;
    this.threshold = Math.round(rate * (1 + window));
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
  }

  /**
   * Resolves with the milliseconds from `since` to the first measurement, from now on, at which the consumers
   * have committed every record the topics held at the first measurement after the fault, and the lag is under
   * one second of traffic beyond the batching window (a mapping holds up to a window's records before it
   * invokes). The first condition is what makes a small lag mean recovered: right after a kill, or while the
   * producer held during a broker restart, the lag is small because nothing moves. Resolves with null if the
   * watch is stopped first (the consumers never caught up).
   */
  recovered(since: number): Promise<number | null> {
    return new Promise((resolve) => this.waiters.push({ since, resolve }));
  }

  /** Throws until every mapping's group has committed the end of every partition (a `waitUntil` probe). */
  async drained(): Promise<void> {
    const behind = await this.behind();
    if (behind.length > 0) throw new Error(`behind: ${behind.slice(0, 6).join(", ")}`);
    this.settle(Date.now());
  }

  async uncommittedPartitions(): Promise<number> {
    return (await this.behind()).length;
  }

  /** Ends the measurements; a recovery still awaited never happened: it resolves with null. */
  stop(): void {
    clearInterval(this.timer);
    for (const waiter of this.waiters.splice(0)) waiter.resolve(null);
  }

  private async sample() {
    if (this.sampling) return;
    this.sampling = true;
    // Only those waiting before the measurement began: it must be taken after their fault.
    const waiting = this.waiters.length;
    try {
      const positions = await this.positions();
      const at = Date.now();
      // Committed offsets are read after the end offsets: a partition caught up meanwhile counts as 0, not less.
      const lag = positions.reduce((sum, entry) => sum + Math.max(0, entry.end - entry.committed), 0);
      const second = Math.round((at - this.began) / 1000);
      if (second >= 5 * this.series.length) this.series.push({ second, lag });
      for (const waiter of this.waiters.slice(0, waiting)) {
        waiter.marks ??= new Map(positions.map((entry) => [positionKey(entry), entry.end]));
        const marks = waiter.marks;
        const caughtUp = positions.every((entry) => entry.committed >= (marks.get(positionKey(entry)) ?? 0));
        if (lag >= this.threshold || !caughtUp) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(at - waiter.since);
      }
    } catch {
      // the broker is away: no measurement this time
    } finally {
      this.sampling = false;
    }
  }

  private settle(at: number, count = this.waiters.length) {
    for (const waiter of this.waiters.splice(0, count)) waiter.resolve(at - waiter.since);
  }

  private async behind(): Promise<string[]> {
    return (await this.positions())
      .filter((entry) => entry.committed < entry.end)
      .map(
        (entry) => `${entry.group} ${entry.topic}-${entry.partition} at ${entry.committed} of ${entry.end}`,
      );
  }

  private async positions() {
    const positions: { group: string; topic: string; partition: number; committed: number; end: number }[] =
      [];
    for (const mapping of this.mappings) {
      for (const topic of mapping.topics) {
        const ends = await this.log.endOffsets(topic);
        for (const [partition, end] of ends.entries()) {
          const committed = (await this.log.committed(mapping.consumerGroupId, topic, partition)) ?? 0;
          positions.push({ group: mapping.consumerGroupId, topic, partition, committed, end });
        }
      }
    }
    return positions;
  }
}

function positionKey(entry: { group: string; topic: string; partition: number }): string {
  return `${entry.group} ${entry.topic}-${entry.partition}`;
}
