/** The card velocity rule's thresholds (rules.md "Card velocity"). */
export interface CardVelocityConfig {
  /** A transaction is flagged when more than this many of the card's transactions fall in its window. */
  readonly maxTransactions: number;
  /** The window `(t − windowSeconds, t]` counted at each new transaction. */
  readonly windowSeconds: number;
  /**
   * Event time of a card's transactions kept, back from its newest one. A transaction older than
   * newest − (keepSeconds − windowSeconds) is too late to screen, so its window always lies in what is kept.
   */
  readonly keepSeconds: number;
  /** Seconds (past the newest transaction's event time) after which DynamoDB may delete an idle card's state. */
  readonly idleStateSeconds: number;
}

export const CARD_VELOCITY_CONFIG: CardVelocityConfig = {
  maxTransactions: 5,
  windowSeconds: 60,
  keepSeconds: 6 * 60,
  idleStateSeconds: 24 * 60 * 60,
};
