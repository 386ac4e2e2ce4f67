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
  private readonly waiters: { since: number; resolve: (ms: number) => void }[] = [];
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
   * Resolves with the milliseconds from `since` to the first measurement, from now on, with the lag under one
   * second of traffic beyond the batching window (a mapping holds up to a window's records before it invokes).
   */
  recovered(since: number): Promise<number> {
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

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample() {
    if (this.sampling) return;
    this.sampling = true;
    // Only those waiting before the measurement began: it must be taken after their fault.
    const waiting = this.waiters.length;
    try {
      let lag = 0;
      for (const entry of await this.positions()) lag += entry.end - entry.committed;
      const second = Math.round((Date.now() - this.began) / 1000);
      if (second >= 5 * this.series.length) this.series.push({ second, lag });
      if (lag < this.threshold) this.settle(Date.now(), waiting);
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
