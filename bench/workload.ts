import type { DeliveredRecord } from "../functions/shared/engine/decode";
import { TrafficSimulator } from "../local/simulator/traffic";

export const BENCH_PARTITIONS = 6;

/** A fixed seeded workload of one topic, as it would sit in a 6-partition topic: offsets per partition. */
export function topicWorkload(
  topic: string,
  { minutes, seed = 42, visitsPerSecond = 5 }: { minutes: number; seed?: number; visitsPerSecond?: number },
): DeliveredRecord[] {
  const start = Date.parse("2026-11-20T23:00:00.000Z");
  const records = new TrafficSimulator({ seed, start, visitsPerSecond }).eventsUntil(
    start + minutes * 60_000,
  );
  const nextOffset = new Array<number>(BENCH_PARTITIONS).fill(0);
  return records
    .filter((record) => record.topic === topic)
    .map((record) => {
      const partition = fnv1a(record.key) % BENCH_PARTITIONS;
      const offset = nextOffset[partition]!;
      nextOffset[partition] = offset + 1;
      return {
        topic,
        partition,
        offset,
        key: record.key,
        rawValue: JSON.stringify(record.value),
        timestamp: record.timestamp,
        headers: {},
      };
    });
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** Consecutive batches of `size` records, as the event source mapping hands them over. */
export function inBatches<T>(records: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < records.length; i += size) batches.push(records.slice(i, i + size));
  return batches;
}
