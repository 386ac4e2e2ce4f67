import { createHash } from "node:crypto";

/** A uniform number in [0, 1) that depends only on `parts`: the same parts give the same number, always. */
export function uniformOf(...parts: readonly (string | number)[]): number {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** A seeded pseudo-random sequence (mulberry32): the same seed and stream give the same draws. */
export class SeededRandom {
  private state: number;

  constructor(...seed: readonly (string | number)[]) {
    this.state = Math.floor(uniformOf(...seed) * 2 ** 32) >>> 0;
  }

  /** The next draw, uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer from `min` to `max`, both included. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
