import { describe, expect, it } from "vitest";
import type { FraudSignal } from "../../../functions/card-velocity/schema";
import { holdsCardNumber } from "../../../functions/shared/engine/card-screen";
import { cardFingerprint } from "../../../local/simulator/catalog";
import { TrafficSimulator } from "../../../local/simulator/traffic";
import { fold } from "./fold";

const start = Date.parse("2026-11-20T23:00:00.000Z");

describe("card velocity on the simulator's traffic", () => {
  it("passes every simulated payment and flags only the card-testing fraudster's card, with one alert", () => {
    const signals = new TrafficSimulator({ seed: 1, start })
      .eventsUntil(start + 10 * 60_000)
      .filter((record) => record.topic === "theworldshop.fraud-signals");
    expect(signals.length).toBeGreaterThan(100);
    for (const signal of signals) expect(holdsCardNumber(JSON.stringify(signal.value))).toBe(false);

    const { decisions, alerts } = fold(signals.map((signal) => signal.value as unknown as FraudSignal));

    const fraudster = cardFingerprint("U-FRAUD");
    expect(new Set(decisions.map((decision) => decision.cardFingerprint))).toEqual(new Set([fraudster]));
    expect(alerts.map((alert) => alert.subjectId)).toEqual([fraudster]);
  });
});
