import { CARD_VELOCITY_CONFIG, type CardVelocityConfig } from "../../../functions/card-velocity/config";
import { cardVelocityConsumer } from "../../../functions/card-velocity/consumer";
import type { CardWindow } from "../../../functions/card-velocity/reducer";
import type { FraudSignal } from "../../../functions/card-velocity/schema";
import type { Alert, ConsumerRecord } from "../../../functions/shared/engine/types";

export const CARD = "fp_9f86d081884c7d65";
const START = Date.parse("2026-12-01T12:00:00.000Z");

/** A payment `seconds` after 12:00:00 UTC on CARD (or `card`), with its transaction id. */
export function payment(transactionId: string, seconds: number, card = CARD): FraudSignal {
  return {
    eventId: `evt-${transactionId}-${seconds}`,
    transactionId,
    orderId: `order-${transactionId}`,
    cardFingerprint: card,
    amount: { value: 4999, currency: "EUR" },
    eventTime: new Date(START + seconds * 1000).toISOString(),
  };
}

/** Payments `t0`, `t1`, … seconds after 12:00, with transaction ids tx-1, tx-2, … */
export function payments(...seconds: number[]): FraudSignal[] {
  return seconds.map((at, index) => payment(`tx-${index + 1}`, at));
}

export interface Folded {
  readonly state: CardWindow | undefined;
  readonly flagged: string[];
  readonly decisions: Record<string, unknown>[];
  readonly alerts: Alert[];
  /** The TTL the last reduction of CARD asked for. */
  readonly expiresAt: number | undefined;
}

/** Folds the payments, in the order given (offset order), through the consumer as the engine does per key. */
export function fold(
  signals: readonly FraudSignal[],
  config: CardVelocityConfig = CARD_VELOCITY_CONFIG,
): Folded {
  const states = new Map<string, CardWindow | undefined>();
  const decisions: Record<string, unknown>[] = [];
  const alerts: Alert[] = [];
  let expiresAt: number | undefined;
  signals.forEach((value, offset) => {
    const record: ConsumerRecord<FraudSignal> = {
      topic: "theworldshop.fraud-signals",
      partition: 0,
      offset,
      key: value.cardFingerprint,
      value: cardVelocityConsumer.schema.parse(value),
      timestamp: Date.parse(value.eventTime),
      headers: {},
    };
    for (const key of cardVelocityConsumer.stateKeys(record, config)) {
      const reduction = cardVelocityConsumer.reduce(key, states.get(key), record, config);
      states.set(key, reduction.state);
      if (key === CARD) expiresAt = reduction.expiresAt;
      alerts.push(...(reduction.alerts ?? []));
      decisions.push(...(reduction.records ?? []).map((side) => ({ table: side.table, ...side.item })));
    }
  });
  return {
    state: states.get(CARD),
    flagged: decisions.map((decision) => String(decision.transactionId)),
    decisions,
    alerts,
    expiresAt,
  };
}
