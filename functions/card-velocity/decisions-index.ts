/**
 * The index over the decisions table by event time, for "flagged transactions in the last hour" without a
 * scan. Every decision item is `{ transactionId, decision: "FLAGGED", count, cardFingerprint, eventTime }`,
 * so the index is keyed on attributes the items already carry: partition `decision`, sort `eventTime`.
 */
export const DECISIONS_BY_TIME_INDEX = {
  name: "decisions-by-time",
  /** String: the decision, `FLAGGED`. */
  partitionKey: "decision",
  /** String: the transaction's event time, ISO-8601 UTC. */
  sortKey: "eventTime",
} as const;
