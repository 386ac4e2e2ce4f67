import { describe, expect, it } from "vitest";
import { CARD_VELOCITY_CONFIG } from "../../../functions/card-velocity/config";
import { velocityAlertId } from "../../../functions/card-velocity/reducer";
import { CARD, fold, payment, payments } from "./fold";

describe("card velocity: more than 5 orders within 60 s flags the card", () => {
  it("flags the 6th and 7th of 7 payments in 30 s and raises one alert", () => {
    const { flagged, decisions, alerts } = fold(payments(0, 5, 10, 15, 20, 25, 30));

    expect(flagged).toEqual(["tx-6", "tx-7"]);
    expect(decisions[0]).toEqual({
      table: "decisions",
      transactionId: "tx-6",
      decision: "FLAGGED",
      count: 6,
      cardFingerprint: CARD,
      eventTime: "2026-12-01T12:00:25.000Z",
    });
    expect(decisions[1]).toMatchObject({ transactionId: "tx-7", count: 7 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      alertId: velocityAlertId(CARD, "tx-6"),
      alertType: "CARD_VELOCITY",
      severity: "critical",
      subjectId: CARD,
      eventTime: "2026-12-01T12:00:25.000Z",
      details: { transactionId: "tx-6", orderId: "order-tx-6", count: 6 },
    });
  });

  it("flags nothing for 5 payments within 60 s", () => {
    const { flagged, alerts } = fold(payments(0, 10, 20, 30, 59));

    expect(flagged).toEqual([]);
    expect(alerts).toEqual([]);
  });

  it("flags nothing for 6 payments no half-open 60 s window holds together", () => {
    const { flagged, alerts } = fold(payments(0, 20, 40, 50, 59, 60));

    expect(flagged).toEqual([]);
    expect(alerts).toEqual([]);
  });

  it("does not count a payment exactly 60 s before with one at t", () => {
    const atBoundary = fold(payments(0, 1, 2, 3, 4, 60));
    const justInside = fold(payments(0, 1, 2, 3, 4, 59.999));

    expect(atBoundary.flagged).toEqual([]);
    expect(justInside.flagged).toEqual(["tx-6"]);
  });

  it("counts a repeated transactionId once and ignores the repeat entirely", () => {
    const five = payments(0, 5, 10, 15, 20);
    const repeats = [payment("tx-3", 21), payment("tx-5", 22), payment("tx-1", 23)];
    const { flagged, alerts, state } = fold([...five, ...repeats]);

    expect(flagged).toEqual([]);
    expect(alerts).toEqual([]);
    expect(state?.transactions.map((known) => known.transactionId)).toEqual([
      "tx-1",
      "tx-2",
      "tx-3",
      "tx-4",
      "tx-5",
    ]);
    expect(fold([...five, ...repeats]).state).toEqual(fold(five).state);
  });

  it("ignores a repeat of a flagged transaction: no second decision, no burst change", () => {
    const { decisions, alerts, state } = fold([...payments(0, 1, 2, 3, 4, 5), payment("tx-6", 6)]);

    expect(decisions.map((decision) => decision.transactionId)).toEqual(["tx-6"]);
    expect(alerts).toHaveLength(1);
    expect(state?.inBurst).toBe(true);
  });

  it("raises two alerts for two bursts separated by a quiet transaction", () => {
    const first = payments(0, 1, 2, 3, 4, 5, 6).map((p, i) => ({ ...p, transactionId: `a-${i}` }));
    const quiet = payment("quiet", 200);
    // The quiet one (count 1) ends the first burst and is itself one of the second burst's 6.
    const second = [201, 202, 203, 204, 205].map((at, i) => payment(`b-${i}`, at));
    const { alerts, flagged, state } = fold([...first, quiet, ...second]);

    expect(flagged).toEqual(["a-5", "a-6", "b-4"]);
    expect(alerts.map((alert) => alert.alertId)).toEqual([
      velocityAlertId(CARD, "a-5"),
      velocityAlertId(CARD, "b-4"),
    ]);
    expect(state?.inBurst).toBe(true);
  });

  it("ends a burst at any new transaction that evaluates to 5 or fewer, a late one included", () => {
    const burst = payments(100, 101, 102, 103, 104, 105);
    const { alerts } = fold([...burst, payment("late", 10), payment("again", 106)]);

    expect(alerts.map((alert) => alert.alertId)).toEqual([
      velocityAlertId(CARD, "tx-6"),
      velocityAlertId(CARD, "again"),
    ]);
  });

  it("keeps a card in its burst while each new transaction is still flagged", () => {
    const { alerts, flagged } = fold(payments(0, 10, 20, 30, 40, 50, 55, 58, 65, 70));

    expect(flagged).toEqual(["tx-6", "tx-7", "tx-8", "tx-9", "tx-10"]);
    expect(alerts).toHaveLength(1);
  });

  it("evaluates a payment delivered out of event-time order at its own eventTime", () => {
    // Offsets: five payments at 100..104 s, then a late one at 50 s (count 1 in (−10, 50]),
    // then a late one at 99 s whose window (39, 99] holds 50 s and itself: count 2.
    const late = fold([...payments(100, 101, 102, 103, 104), payment("late-50", 50), payment("late-99", 99)]);
    expect(late.flagged).toEqual([]);

    // A late payment at 98 s among 96..104: its window (38, 98] holds 96, 97 and itself only.
    const inWindow = fold([...payments(96, 97, 100, 101, 102, 103, 104), payment("late-98", 98)]);
    expect(inWindow.flagged).toEqual(["tx-6", "tx-7"]);
  });

  it("counts, for a late payment, the earlier payments in its own window, not the newest one's", () => {
    // Newest at 100 s has window (40, 100]; the late one at 55 s has (−5, 55]: 10..50 and itself.
    const { decisions } = fold([
      ...payments(10, 20, 30, 40, 50),
      payment("newest", 100),
      payment("late", 55),
    ]);

    expect(decisions).toEqual([expect.objectContaining({ transactionId: "late", count: 6 })]);
  });

  it("counts a late payment as known for the payments that come after it", () => {
    const { flagged } = fold([...payments(10, 11, 12, 13), payment("late-5", 5), payment("next", 14)]);

    expect(flagged).toEqual(["next"]);
  });

  it("keeps cards apart", () => {
    const mixed = [0, 1, 2, 3, 4, 5].flatMap((at) => [
      payment(`a-${at}`, at),
      payment(`b-${at}`, at, "fp_other_card_0001"),
    ]);
    const { flagged, alerts } = fold(mixed);

    expect(flagged).toEqual(["a-5", "b-5"]);
    expect(alerts.map((alert) => alert.subjectId)).toEqual([CARD, "fp_other_card_0001"]);
  });
});

describe("card velocity: how long a card's transactions are kept", () => {
  it("keeps 6 minutes of event time back from the newest transaction", () => {
    const { state } = fold(payments(0, 1, 200, 361, 400));

    expect(state?.transactions.map((known) => known.transactionId)).toEqual(["tx-3", "tx-4", "tx-5"]);
  });

  it("still evaluates a payment 5 minutes late exactly over what is kept", () => {
    // Newest 400 s keeps (40, 400]; a payment at 100 s has window (40, 100]: all of it is kept.
    const signals = [...payments(41, 50, 60, 70, 80), payment("newest", 400), payment("late", 100)];
    const { decisions } = fold(signals);

    expect(decisions).toEqual([expect.objectContaining({ transactionId: "late", count: 6 })]);
  });

  it("ignores a payment more than 5 minutes older than the card's newest, whose window was forgotten", () => {
    const signals = [...payments(0, 10, 20, 30, 40), payment("newest", 400), payment("too-late", 50)];
    const { decisions, alerts, state } = fold(signals);

    expect(decisions).toEqual([]);
    expect(alerts).toEqual([]);
    expect(state?.transactions.map((known) => known.transactionId)).toEqual(["newest"]);
  });

  it("ignores a repeat of a forgotten transaction", () => {
    const signals = [...payments(0, 1, 2, 3, 4, 5), payment("newest", 400), payment("tx-6", 5)];
    const { decisions } = fold(signals);

    expect(decisions.map((decision) => decision.transactionId)).toEqual(["tx-6"]);
  });

  it("gives the same results whether or not old transactions were pruned", () => {
    const signals = payments(0, 30, 100, 130, 200, 230, 300, 330, 395, 396, 397, 398, 399, 400, 410, 420);
    const keepingAll = { ...CARD_VELOCITY_CONFIG, keepSeconds: 100_000 };

    expect(fold(signals).decisions).toEqual(fold(signals, keepingAll).decisions);
    expect(fold(signals).alerts).toEqual(fold(signals, keepingAll).alerts);
  });

  it("lets DynamoDB expire an idle card's state a day after its newest transaction", () => {
    const newest = Date.parse(payment("tx", 100).eventTime) / 1000;

    expect(fold(payments(0, 100)).expiresAt).toBe(newest + 86_400);
    expect(fold([...payments(0, 100), payment("late", 50)]).expiresAt).toBe(newest + 86_400);
  });
});
