import { alertIdOf } from "../shared/alert-id";
import type { Alert, ConsumerRecord, Reduction } from "../shared/engine/types";
import type { CardVelocityConfig } from "./config";
import { DECISIONS, DECISIONS_TABLE, type FlaggedDecision } from "./decision";
import type { FraudSignal } from "./schema";

/** A transaction the card velocity rule knows about. */
export interface KnownTransaction {
  readonly transactionId: string;
  /** Event time, epoch milliseconds. */
  readonly at: number;
}

/** Per card: its recent transactions and whether it is in a burst of flagged transactions. */
export interface CardWindow {
  /** Oldest first; the last `keepSeconds` of event time back from the newest. */
  readonly transactions: readonly KnownTransaction[];
  /** The last transaction evaluated was flagged; the next flagged one raises no new alert. */
  readonly inBurst: boolean;
}

export const CARD_VELOCITY_ALERT = "CARD_VELOCITY";
/**
 * Transactions kept per card at most, newest by event time: 1,000 of at most 128-byte ids keep the card's item
 * under 200 KB whatever a producer sends; a card anywhere near it is flagged long before.
 */
export const MAX_KEPT_TRANSACTIONS = 1_000;

/**
 * rules.md "Card velocity": count the card's known transactions in `(t − window, t]` at each new one,
 * flag it above the threshold, alert once per burst. Pure: the same records give the same results.
 */
export function reduceCardVelocity(
  state: CardWindow | undefined,
  record: ConsumerRecord<FraudSignal>,
  config: CardVelocityConfig,
): Reduction<CardWindow> {
  const signal = record.value;
  const known = state?.transactions ?? [];
  const inBurst = state?.inBurst ?? false;
  const newest = known.at(-1)?.at ?? Number.NEGATIVE_INFINITY;
  const at = Date.parse(signal.eventTime);
  const ignored = { state: { transactions: known, inBurst }, expiresAt: expiresAt(newest, config) };
  if (known.some((transaction) => transaction.transactionId === signal.transactionId)) return ignored;
  // Too late to screen: its window may reach into forgotten transactions (a repeat of one included).
  if (at < newest - (config.keepSeconds - config.windowSeconds) * 1000) return ignored;

  const transactions = insertByTime(known, { transactionId: signal.transactionId, at });
  const windowStart = at - config.windowSeconds * 1000;
  const count = transactions.filter((other) => other.at > windowStart && other.at <= at).length;
  const flagged = count > config.maxTransactions;

  const newestNow = Math.max(newest, at);
  const keptAfter = newestNow - config.keepSeconds * 1000;
  return {
    state: {
      transactions: transactions.filter((other) => other.at > keptAfter).slice(-MAX_KEPT_TRANSACTIONS),
      inBurst: flagged,
    },
    alerts: flagged && !inBurst ? [velocityAlert(signal, count, config)] : [],
    records: flagged ? [{ table: DECISIONS_TABLE, item: flaggedDecision(signal, count) }] : [],
    expiresAt: expiresAt(newestNow, config),
  };
}

function insertByTime(
  transactions: readonly KnownTransaction[],
  added: KnownTransaction,
): KnownTransaction[] {
  const index = transactions.findLastIndex((other) => other.at <= added.at) + 1;
  return [...transactions.slice(0, index), added, ...transactions.slice(index)];
}

function flaggedDecision(signal: FraudSignal, count: number): FlaggedDecision {
  return {
    transactionId: signal.transactionId,
    decision: DECISIONS.FLAGGED,
    count,
    cardFingerprint: signal.cardFingerprint,
    eventTime: signal.eventTime,
  };
}

/** One id per card and flagged transaction: two cards may meet the same transaction id. */
export function velocityAlertId(cardFingerprint: string, transactionId: string): string {
  return alertIdOf(CARD_VELOCITY_ALERT, cardFingerprint, transactionId);
}

function velocityAlert(signal: FraudSignal, count: number, config: CardVelocityConfig): Alert {
  return {
    alertId: velocityAlertId(signal.cardFingerprint, signal.transactionId),
    alertType: CARD_VELOCITY_ALERT,
    severity: "critical",
    subjectId: signal.cardFingerprint,
    eventTime: signal.eventTime,
    message:
      `Card ${signal.cardFingerprint} was used for ${count} orders within ${config.windowSeconds} s ` +
      `(more than ${config.maxTransactions}); transaction ${signal.transactionId} of order ${signal.orderId} is flagged`,
    details: {
      transactionId: signal.transactionId,
      orderId: signal.orderId,
      count,
      amount: signal.amount,
      windowSeconds: config.windowSeconds,
      maxTransactions: config.maxTransactions,
    },
  };
}

function expiresAt(newest: number, config: CardVelocityConfig): number | undefined {
  return Number.isFinite(newest) ? Math.ceil(newest / 1000) + config.idleStateSeconds : undefined;
}
