import { describe, expect, it } from "vitest";
import {
  CARD_VELOCITY_CONFIG,
  cardVelocityConfigFromEnv,
  cardVelocityEnvironment,
} from "../../functions/card-velocity/config";
import { sessionsConfigFromEnv, sessionsEnvironment } from "../../functions/sessions/config";
import { engineOptionsFromEnv } from "../../functions/shared/engine/handler";
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

describe("the engine's settings in the function's environment", () => {
  const stackEnv = {
    STATE_TABLE_NAME: "state",
    ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
    REJECTED_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/rejected",
    KAFKA_TOPIC: "theworldshop.fraud-signals",
  };

  it("take the keys in flight and the keys per write the stack sets, 16 and 1 when it sets none", () => {
    expect(
      engineOptionsFromEnv({}, { ...stackEnv, KEY_CONCURRENCY: "64", KEYS_PER_WRITE: "25" }),
    ).toMatchObject({
      keyConcurrency: 64,
      keysPerWrite: 25,
    });
    expect(engineOptionsFromEnv({}, stackEnv)).toMatchObject({ keyConcurrency: 16, keysPerWrite: 1 });
  });

  it.each([
    [{ KEYS_PER_WRITE: "101" }, 'environment variable KEYS_PER_WRITE must be at most 100, got "101"'],
    [
      { KEYS_PER_WRITE: "0" },
      'environment variable KEYS_PER_WRITE must be a whole number of at least 1, got "0"',
    ],
    [{ KEY_CONCURRENCY: "257" }, 'environment variable KEY_CONCURRENCY must be at most 256, got "257"'],
  ])("refuse %o naming the variable and its bound", (variables, message) => {
    expect(() => engineOptionsFromEnv({}, { ...stackEnv, ...variables })).toThrow(
      new FunctionEnvironmentError(message),
    );
  });
});
