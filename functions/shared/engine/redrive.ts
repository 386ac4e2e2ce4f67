import type { StateItem } from "./state-item";
import type { RecordCoordinates } from "./types";

/**
 * Redrive of rejected records, exactly once per state key. A redriven record's offset lies below the fences
 * (later records of its partition moved them), so the fence cannot tell whether it was applied: each key keeps a
 * marker per record redriven onto it, and the fences are left where they are (a record still to come below a
 * redriven offset must not be skipped). docs/exactly-once.md, "Redrive".
 */

/** The item attribute holding the markers: `<topic>:<partition>:<offset>` → when it was applied (epoch ms). */
export const REDRIVE_MARKERS_ATTRIBUTE = "redriven";

/**
 * The field of a Kafka event that makes it a redrive (set by `npm run ops -- redrive`, never by a mapping):
 * its records are applied past the fences, each at most once per key.
 */
export const REDRIVE_EVENT_FIELD = "theworldshopRedrive";

/**
 * How long a marker is kept: the rejected-records queue's retention (14 days, SQS's longest), after which no copy
 * of the message can be redriven again.
 */
export const REDRIVE_MARKER_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/** At most this many markers per key (the newest kept), so that an item stays far below DynamoDB's 400 KB. */
export const MAX_REDRIVE_MARKERS = 200;

export type RedriveMarkers = Readonly<Record<string, number>>;

export const redriveMarker = ({ topic, partition, offset }: RecordCoordinates) =>
  `${topic}:${partition}:${offset}`;

/** The markers stored on an item. */
export function storedMarkers(stored: StateItem | undefined): Record<string, number> {
  return { ...((stored?.[REDRIVE_MARKERS_ATTRIBUTE] as RedriveMarkers | undefined) ?? {}) };
}

/** Whether an event is a redrive rather than a delivery of the event source mapping. */
export function isRedriveEvent(event: unknown): boolean {
  return (event as Record<string, unknown> | null)?.[REDRIVE_EVENT_FIELD] === true;
}

/** The markers to store: those younger than the retention at `now`, the newest `MAX_REDRIVE_MARKERS`. */
export function prunedMarkers(
  markers: Readonly<Record<string, number>>,
  now: number,
): Record<string, number> {
  const kept = Object.entries(markers)
    .filter(([, at]) => now - at < REDRIVE_MARKER_RETENTION_MS)
    .sort(([a, atA], [b, atB]) => atB - atA || (a < b ? -1 : 1))
    .slice(0, MAX_REDRIVE_MARKERS);
  return Object.fromEntries(kept);
}
