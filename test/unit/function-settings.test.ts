import { describe, expect, it } from "vitest";
import {
  CARD_VELOCITY_CONFIG,
  cardVelocityConfigFromEnv,
  cardVelocityEnvironment,
} from "../../functions/card-velocity/config";
import { sessionsConfigFromEnv, sessionsEnvironment } from "../../functions/sessions/config";
import { FunctionEnvironmentError } from "../../functions/shared/env";

describe("consumer settings in the function's environment", () => {
  it("round-trip card velocity's thresholds and keep the rule's other constants", () => {
    const env = cardVelocityEnvironment({ maxTransactions: 3, windowSeconds: 10 });

    expect(env).toEqual({ CARD_VELOCITY_MAX_TRANSACTIONS: "3", CARD_VELOCITY_WINDOW_SECONDS: "10" });
    expect(cardVelocityConfigFromEnv(env)).toEqual({
      ...CARD_VELOCITY_CONFIG,
      maxTransactions: 3,
      windowSeconds: 10,
    });
  });

  it("turn the session gap into milliseconds", () => {
    expect(sessionsConfigFromEnv(sessionsEnvironment({ gapMinutes: 10 }))).toEqual({
      gapMs: 10 * 60 * 1000,
      maxPages: 25,
    });
  });

  it("name a missing variable instead of running a default", () => {
    const read = () => cardVelocityConfigFromEnv({ CARD_VELOCITY_MAX_TRANSACTIONS: "3" });

    expect(read).toThrow(FunctionEnvironmentError);
    expect(read).toThrow("environment variable CARD_VELOCITY_WINDOW_SECONDS is not set");
  });

  it("name an invalid variable and what is wrong with it", () => {
    const notJson = () => sessionsConfigFromEnv({ SESSIONS_GAP_MINUTES: "half an hour" });
    const outOfRange = () =>
      cardVelocityConfigFromEnv({ CARD_VELOCITY_MAX_TRANSACTIONS: "0", CARD_VELOCITY_WINDOW_SECONDS: "600" });

    expect(notJson).toThrow("environment variable SESSIONS_GAP_MINUTES is not valid JSON");
    expect(outOfRange).toThrow(/CARD_VELOCITY_MAX_TRANSACTIONS: .*1.*; CARD_VELOCITY_WINDOW_SECONDS: .*300/);
  });
});
