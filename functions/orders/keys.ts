/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;
/** How long minute counts and seller windows are kept after their minute ends: 48 hours. */
export const KEEP_SECONDS = 48 * 60 * 60;

export const MINUTE_KEY_PREFIX = "minute#";
/** Not `seller#`: the one-item windows of earlier versions used it, and an id such as `p3#acme` would read as a part. */
export const SELLER_PART_KEY_PREFIX = "sellerPart#";
export const SELLER_BREACH_KEY_PREFIX = "sellerBreach#";

/** minute(t): the event time truncated to the minute, UTC, as epoch milliseconds. */
export function minuteOf(eventTime: string): number {
  const ms = Date.parse(eventTime);
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

/** The minute as it appears in keys and read results, e.g. `2026-11-20T23:03:00.000Z`. */
export function minuteText(minute: number): string {
  return new Date(minute).toISOString();
}

/**
 * The minute counter shard of one partition. Records of a partition only ever touch their own shard, so
 * invocations on different partitions never contend for the current minute; readers sum the shards.
 */
export function minuteShardKey(minute: number, partition: number): string {
  return `${MINUTE_KEY_PREFIX}${minuteText(minute)}#p${partition}`;
}

/**
 * One partition's part of the seller's cancellation-rate window: written only by that partition's records, so
 * invocations on different partitions never contend for a seller; the rule sums the parts. The partition comes
 * before the id, so that no seller id can make one seller's key another's.
 */
export function sellerPartKey(sellerId: string, partition: number): string {
  return `${SELLER_PART_KEY_PREFIX}p${partition}#${sellerId}`;
}

/** `sellerPart#p<partition>#<sellerId>` read back, or undefined for another key. */
export function parseSellerPartKey(key: string): { sellerId: string; partition: number } | undefined {
  const match = /^sellerPart#p(\d+)#(.*)$/s.exec(key);
  return match ? { sellerId: match[2]!, partition: Number(match[1]) } : undefined;
}

/** Whether the seller is in breach: one item per seller, written only when that changes. */
export function sellerBreachKey(sellerId: string): string {
  return `${SELLER_BREACH_KEY_PREFIX}${sellerId}`;
}

/** TTL (epoch seconds) of an item whose latest minute is `minute`: minute end + 48 h. */
export function expiresAfter(minute: number): number {
  return (minute + MINUTE_MS) / 1000 + KEEP_SECONDS;
}
