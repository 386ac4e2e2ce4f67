// Kafka's default partitioner, exactly as the Java client computes it (org.apache.kafka.common.utils.Utils),
// so that a key lands on the same partition whether the embedded log or a real producer placed it.
const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's 32-bit murmur2 of `data`, as a signed int (what `Utils.murmur2` returns). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // The last one to three bytes fold in from the highest down, as Java's fall-through switch does.
  const tail = length % 4;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which differs for negative values). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a record with this (non-null) key. */
export function partitionForKey(key: string | Uint8Array, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  return toPositive(murmur2(bytes)) % partitions;
}
