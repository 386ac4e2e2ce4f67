import { SeededRandom } from "../random";
import { KILL_MOMENTS, type KillMoment } from "./messages";

/** A fault the chaos run injects, at `atMs` after the traffic starts. */
export type ChaosFault =
  | {
      readonly kind: "kill";
      readonly atMs: number;
      readonly moment: KillMoment | "anytime";
      readonly downMs: number;
    }
  | { readonly kind: "brokerRestart"; readonly atMs: number; readonly downMs: number }
  | {
      readonly kind: "throttle";
      readonly atMs: number;
      readonly durationMs: number;
      /** Probability that a DynamoDB call is throttled, and that an SNS publish fails with a 5xx. */
      readonly throttle: number;
      readonly snsfail: number;
    }
  | { readonly kind: "rebalance"; readonly atMs: number; readonly durationMs: number };

export type FaultKindName = ChaosFault["kind"];
export const FAULT_KIND_NAMES: readonly FaultKindName[] = ["kill", "brokerRestart", "throttle", "rebalance"];

export interface ScheduleOptions {
  readonly minutes: number;
  readonly seed: string | number;
  /** @default 4 */
  readonly killsPerMinute?: number;
}

/** Neither end of a run gets a fault: the first seconds warm up, the last ones are traffic without faults. */
const QUIET_MS = 10_000;

/**
 * The faults of a run, in time order, from the seed alone: kills at random moments (three in five armed for the
 * next state write, SNS publish or commit; the rest at any instant), one broker restart, throttling window and
 * rebalance per 2.5 minutes (at least one of each), spread over the run with jitter.
 */
export function chaosSchedule({ minutes, seed, killsPerMinute = 4 }: ScheduleOptions): ChaosFault[] {
  const random = new SeededRandom("chaos-schedule", seed);
  const span = Math.max(minutes * 60_000 - 2 * QUIET_MS, 1_000);
  const at = (fraction: number) => QUIET_MS + Math.round(fraction * span);
  const spread = (count: number, offset: number) =>
    Array.from({ length: count }, (_, index) => at((index + offset + (random.next() - 0.5) * 0.5) / count));
  const periodic = Math.max(1, Math.round(minutes / 2.5));
  const faults: ChaosFault[] = [
    ...spread(periodic, 0.55).map((atMs) => ({
      kind: "brokerRestart" as const,
      atMs,
      downMs: random.integer(1_000, 4_000),
    })),
    ...spread(periodic, 0.3).map((atMs) => ({
      kind: "throttle" as const,
      atMs,
      durationMs: random.integer(15_000, 25_000),
      throttle: 0.3,
      snsfail: 0.3,
    })),
    ...spread(periodic, 0.8).map((atMs) => ({
      kind: "rebalance" as const,
      atMs,
      durationMs: random.integer(15_000, 25_000),
    })),
  ];
  const kills = Math.round(minutes * killsPerMinute);
  for (let index = 0; index < kills; index++) {
    const armed = random.next() < 0.6;
    faults.push({
      kind: "kill",
      atMs: at(random.next()),
      moment: armed ? KILL_MOMENTS[random.integer(0, KILL_MOMENTS.length - 1)]! : "anytime",
      downMs: random.integer(0, 1_500),
    });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}
