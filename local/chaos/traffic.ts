import { appendFileSync, writeFileSync } from "node:fs";
import type { PartitionedLog } from "../event-source/log";
import { SeededRandom } from "../random";
import type { TopicNames } from "../simulator/traffic";
import { TrafficSimulator } from "../simulator/traffic";

/** One line of the chaos input: a replay input record with the coordinates the broker gave it. */
export interface ProducedLine {
  readonly topic: string;
  readonly key: string;
  /** The value as produced (raw text: a poison record is not JSON). */
  readonly value: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

export interface ChaosTraffic {
  /** Records produced (and written to the input file) so far. */
  produced(): number;
  /** Holds production until `resume` (the broker is about to stop: nothing in flight is then ambiguous). */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

/** One record in this many is replaced by a poison record (malformed, or carrying a card number). */
const POISON_EVERY = 400;
const TICK_MS = 200;

/**
 * The simulator's seeded shop traffic at about `rate` records per second of wall time, produced to the broker
 * and appended to `inputFile` as it is acknowledged (the chaos run's truth), with a few poison records mixed in.
 * Production is one request at a time, so the file's order is the log's order within each partition.
 */
export function startChaosTraffic(options: {
  readonly log: PartitionedLog;
  readonly topics: TopicNames;
  readonly rate: number;
  /** How long the run produces: the rate is calibrated over it (at most its first ten minutes). */
  readonly minutes: number;
  readonly seed: number;
  readonly inputFile: string;
  readonly onError: (error: unknown) => void;
}): ChaosTraffic {
  const start = Date.now();
  const simulator = new TrafficSimulator({
    seed: options.seed,
    start,
    topics: options.topics,
    visitsPerSecond: visitsForRate(options.rate, options.seed, options.topics, options.minutes),
  });
  const poison = new SeededRandom("chaos-poison", options.seed);
  writeFileSync(options.inputFile, "");
  let count = 0;
  let stopped = false;
  let held: Promise<void> | undefined;
  let release = () => {};
  let running: Promise<void> = Promise.resolve();
  let busy: Promise<void> = Promise.resolve();
  const tick = async () => {
    if (held) await held;
    busy = produceDue();
    await busy;
  };
  const produceDue = async () => {
    const records = simulator.eventsUntil(Date.now()).map((record) => ({
      topic: record.topic,
      key: record.key,
      value:
        poison.next() * POISON_EVERY < 1 ? poisonValue(record.value, poison) : JSON.stringify(record.value),
      timestamp: record.timestamp,
    }));
    for (const topic of new Set(records.map((record) => record.topic))) {
      const ofTopic = records.filter((record) => record.topic === topic);
      // A produce that fails (the broker is restarting) is tried again: nothing is written before its ack.
      for (;;) {
        try {
          const placed = await options.log.produce(topic, ofTopic);
          const lines = ofTopic.map((record, index) => ({ ...record, ...placed[index]! }));
          appendFileSync(options.inputFile, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
          count += lines.length;
          break;
        } catch (error) {
          options.onError(error);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }
  };
  const timer = setInterval(() => {
    if (!stopped) running = running.then(tick);
  }, TICK_MS);
  return {
    produced: () => count,
    async pause() {
      held ??= new Promise((resolve) => {
        release = resolve;
      });
      // A tick may be producing: once its produce is acknowledged, nothing is in flight.
      await busy;
    },
    resume() {
      held = undefined;
      release();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      this.resume();
      await running;
    },
  };
}

/**
 * The visits per second that give about `rate` records per second over the run (its first ten minutes at most;
 * the simulator's scenarios and restocks add records of their own): the run simulated at a guess, then the guess
 * scaled, twice.
 */
function visitsForRate(rate: number, seed: number, topics: TopicNames, minutes: number): number {
  const seconds = Math.min(minutes, 10) * 60;
  const produced = (visitsPerSecond: number) =>
    new TrafficSimulator({ seed, start: 0, topics, visitsPerSecond }).eventsUntil(seconds * 1000).length /
    seconds;
  let visits = rate / 4;
  for (let pass = 0; pass < 2; pass++) visits *= rate / Math.max(produced(visits), 0.1);
  return visits;
}

/** A record the consumers must reject, keep and not leak: cut-off JSON, or a value with a card number in it. */
function poisonValue(value: Record<string, unknown>, random: SeededRandom): string {
  const text = JSON.stringify(value);
  if (random.next() < 0.5) return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  return JSON.stringify({ ...value, eventTime: "not a time", note: "card 4111 1111 1111 1111" });
}
