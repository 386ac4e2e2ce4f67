import { describe, expect, it } from "vitest";
import { relayOptionsFromEnv } from "../../../functions/outbox-relay/relay";

const topic = "arn:aws:sns:us-east-1:123456789012:alerts";

describe("the outbox relay's settings", () => {
  it("lists every state table of STATE_TABLE_NAMES and waits 30 s by default", () => {
    expect(
      relayOptionsFromEnv({
        STATE_TABLE_NAMES: "availability, orders-state,,sessions",
        ALERT_TOPIC_ARN: topic,
      }),
    ).toEqual({
      stateTables: ["availability", "orders-state", "sessions"],
      alertTopicArn: topic,
      graceMs: 30_000,
    });
  });

  it("takes a grace of 0 for replay", () => {
    expect(
      relayOptionsFromEnv({ STATE_TABLE_NAMES: "a", ALERT_TOPIC_ARN: topic, OUTBOX_RELAY_GRACE_SECONDS: "0" })
        .graceMs,
    ).toBe(0);
  });

  it("names the setting that is missing or wrong", () => {
    expect(() => relayOptionsFromEnv({ ALERT_TOPIC_ARN: topic })).toThrow(/STATE_TABLE_NAMES/);
    expect(() => relayOptionsFromEnv({ STATE_TABLE_NAMES: "a" })).toThrow(/ALERT_TOPIC_ARN/);
    expect(() =>
      relayOptionsFromEnv({
        STATE_TABLE_NAMES: "a",
        ALERT_TOPIC_ARN: topic,
        OUTBOX_RELAY_GRACE_SECONDS: "soon",
      }),
    ).toThrow(/OUTBOX_RELAY_GRACE_SECONDS/);
  });
});
