import type { DeliveredRecord } from "./decode";

/** What the engine checks of every record beyond its consumer's schema. */
export interface RecordBoundary {
  /** The topic the consumer reads; a record of any other is rejected. Undefined: any topic (engine tests). */
  readonly topic?: string;
  /** How far a record's `eventTime` may lie ahead of its Kafka timestamp, milliseconds. */
  readonly maxEventTimeAheadMs: number;
}

/** The default of `theworldshop:engine.maxEventTimeAheadMinutes`. */
export const DEFAULT_MAX_EVENT_TIME_AHEAD_MS = 60 * 60 * 1000;
/** No shop event happened before this; an earlier time is a producer's bug (epoch 0, a missing year). */
export const EARLIEST_EVENT_TIME = Date.parse("2000-01-01T00:00:00.000Z");

/** The greatest epoch ms a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

/** Why a record does not belong to this consumer's topic or to the event key it came under, if it does not. */
export function topicProblem(record: DeliveredRecord, boundary: RecordBoundary): string | undefined {
  if (boundary.topic !== undefined && record.topic !== boundary.topic)
    return `topic ${record.topic} is not this consumer's topic ${boundary.topic}`;
  const partitionKey = `${record.topic}-${record.partition}`;
  if (record.eventKey !== undefined && record.eventKey !== partitionKey)
    return `topic ${record.topic} partition ${record.partition} disagrees with its event key ${record.eventKey}`;
  return undefined;
}

/**
 * Why a validated value's `eventTime` is implausible, naming it and the Kafka timestamp: before 2000-01-01, or
 * more than the bound ahead of the timestamp (a year-9999 time would freeze its key's state for ever).
 */
export function eventTimeProblem(
  value: unknown,
  timestamp: number,
  boundary: RecordBoundary,
): string | undefined {
  const eventTime = (value as { eventTime?: unknown } | null)?.eventTime;
  if (typeof eventTime !== "string") return undefined;
  const at = Date.parse(eventTime);
  if (Number.isNaN(at)) return `eventTime ${eventTime} is not a real instant`;
  if (!(timestamp > 0))
    return `eventTime ${eventTime} cannot be checked: the record has no Kafka timestamp (${timestamp})`;
  const kafkaTime = instantText(timestamp);
  if (at < EARLIEST_EVENT_TIME)
    return `eventTime ${eventTime} is before 2000-01-01T00:00:00.000Z (Kafka timestamp ${kafkaTime})`;
  if (at - timestamp > boundary.maxEventTimeAheadMs) {
    const minutes = boundary.maxEventTimeAheadMs / 60_000;
    return `eventTime ${eventTime} is more than ${minutes} minutes ahead of the Kafka timestamp ${kafkaTime}`;
  }
  return undefined;
}

/** Epoch ms as ISO-8601, or as the number when no Date can hold it. */
function instantText(epochMs: number): string {
  return Math.abs(epochMs) <= MAX_DATE_MS ? new Date(epochMs).toISOString() : `${epochMs} ms`;
}
