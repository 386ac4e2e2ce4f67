/** The side table the payment service reads decisions from, by its name in `SideRecord.table`. */
export const DECISIONS_TABLE = "decisions";

export const DECISIONS = { FLAGGED: "FLAGGED", NONE: "NONE" } as const;

/** What the decisions table holds for a flagged transaction (keyed by `transactionId`); a type, so it is a SideRecord item. */
export type FlaggedDecision = {
  readonly transactionId: string;
  readonly decision: typeof DECISIONS.FLAGGED;
  /** The card's known transactions in the window ending at this one, this one included. */
  readonly count: number;
  readonly cardFingerprint: string;
  readonly eventTime: string;
};

/** What the payment service gets for a transaction that was not flagged (or is not known yet). */
export type NoDecision = {
  readonly transactionId: string;
  readonly decision: typeof DECISIONS.NONE;
};
