/** One line of a replay input file, as it will be produced. */
export interface ReplayRecord {
  /** 1-based line number in the input, for messages. */
  readonly line: number;
  readonly topic: string;
  readonly key: string | null;
  /** The value bytes as text, or null for a tombstone. */
  readonly value: string | null;
  /** The partition given in the input; otherwise the log's partitioner places the record by key. */
  readonly partition?: number;
  /** Epoch milliseconds: the input's `timestamp`, else the value's `eventTime`, else 0. */
  readonly timestamp: number;
  /** The value's `eventTime` (epoch ms), when the value is JSON with a valid one. */
  readonly eventTime?: number;
}

/** Thrown for an input line that is not a replayable record; the message names the line. */
export class ReplayInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReplayInputError";
  }
}

/**
 * Parses JSON Lines of `{ topic, key, value, partition?, timestamp? }`. `value` is a JSON object (serialized as
 * the record value), a string (the raw value, so malformed JSON can be replayed) or null (a tombstone).
 */
export function parseReplayInput(text: string): ReplayRecord[] {
  const records: ReplayRecord[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === "") continue;
    const line = index + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new ReplayInputError(`line ${line}: not JSON`, { cause: error });
    }
    records.push(recordOf(parsed, line));
  }
  return records;
}

function recordOf(parsed: unknown, line: number): ReplayRecord {
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ReplayInputError(
      `line ${line}: expected an object { topic, key, value, partition?, timestamp? }`,
    );
  }
  const { topic, key, value, partition, timestamp } = parsed as Record<string, unknown>;
  if (typeof topic !== "string" || topic === "")
    throw new ReplayInputError(`line ${line}: topic must be a string`);
  if (key !== undefined && key !== null && typeof key !== "string") {
    throw new ReplayInputError(`line ${line}: key must be a string or null`);
  }
  if (value === undefined) throw new ReplayInputError(`line ${line}: value is missing (null is a tombstone)`);
  if (partition !== undefined && !(Number.isInteger(partition) && (partition as number) >= 0)) {
    throw new ReplayInputError(`line ${line}: partition must be a non-negative integer`);
  }
  const text = value === null ? null : typeof value === "string" ? value : JSON.stringify(value);
  const eventTime = eventTimeOf(text);
  return {
    line,
    topic,
    key: typeof key === "string" ? key : null,
    value: text,
    partition: partition as number | undefined,
    timestamp: timestampOf(timestamp, line) ?? eventTime ?? 0,
    eventTime,
  };
}

function timestampOf(timestamp: unknown, line: number): number | undefined {
  if (timestamp === undefined || timestamp === null) return undefined;
  const epoch = typeof timestamp === "number" ? timestamp : Date.parse(String(timestamp));
  if (!Number.isFinite(epoch) || epoch < 0) {
    throw new ReplayInputError(`line ${line}: timestamp must be epoch milliseconds or an ISO-8601 time`);
  }
  return epoch;
}

function eventTimeOf(text: string | null): number | undefined {
  if (text === null) return undefined;
  try {
    const eventTime = (JSON.parse(text) as { eventTime?: unknown } | null)?.eventTime;
    const epoch = typeof eventTime === "string" ? Date.parse(eventTime) : Number.NaN;
    return Number.isNaN(epoch) ? undefined : epoch;
  } catch {
    return undefined;
  }
}
