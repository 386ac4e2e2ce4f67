import { type SimulatedRecord, type TrafficOptions, TrafficSimulator } from "./traffic";

export interface LiveTraffic {
  /** Records produced so far. */
  produced(): number;
  stop(): Promise<void>;
}

/**
 * Runs the simulator against the wall clock: every `tickMs`, the records whose event time has come are
 * handed to `produce` (a Kafka producer, or the in-process log).
 */
export function startLiveTraffic(
  produce: (records: readonly SimulatedRecord[]) => Promise<void>,
  options: Omit<TrafficOptions, "start"> & {
    /** Event time the simulation starts at; a past one produces the history up to now on the first tick. @default now */
    start?: number;
    tickMs?: number;
    onError?: (error: unknown) => void;
  } = {},
): LiveTraffic {
  const simulator = new TrafficSimulator({ ...options, start: options.start ?? Date.now() });
  let count = 0;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(async () => {
      const records = simulator.eventsUntil(Date.now());
      if (records.length === 0) return;
      try {
        await produce(records);
        count += records.length;
      } catch (error) {
        options.onError?.(error);
      }
    });
  }, options.tickMs ?? 200);
  return {
    produced: () => count,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
