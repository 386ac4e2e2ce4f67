import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ALERT_LOG_TABLE_ENV,
  alertLogPartition,
  type LoggedAlert,
  readRecentAlerts,
} from "../../../functions/alert-log/alert-log";
import { createAlertLogSubscriber } from "../../../functions/alert-log/subscriber";
import { alertEntry } from "../../../functions/shared/engine/outbox";
import type { Alert } from "../../../functions/shared/engine/types";
import { ALERT_LOG_ENTRY, type AlertLogFeed, startAlertLogFeed } from "../../../local/alert-log-feed";
import { templateFunction } from "../../../local/function-env";
import type { LocalStackResources } from "../../../local/resources";
import { createTestStack, stackTemplate } from "../../support/stack";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sns = new SNSClient({});
const NOW = Date.parse("2026-12-02T00:10:00.000Z");

const alertAt = (n: number, at: number, alertType = "LOW_STOCK"): LoggedAlert => ({
  alertId: `inventory:theworldshop.inventory:0:${n}:${alertType}`,
  alertType,
  severity: "warning",
  subjectId: `P-${n}`,
  eventTime: new Date(at).toISOString(),
  message: `P-${n} is low on stock`,
  details: { quantity: 3 },
});

const snsEvent = (messages: readonly string[]): SNSEvent => ({
  Records: messages.map((Message, i) => ({
    EventSource: "aws:sns",
    EventVersion: "1.0",
    EventSubscriptionArn: "arn:aws:sns:us-east-1:000000000000:alerts:sub",
    Sns: {
      Type: "Notification",
      MessageId: `m-${i}`,
      TopicArn: "arn:aws:sns:us-east-1:000000000000:alerts",
      Subject: "",
      Message,
      Timestamp: new Date(NOW).toISOString(),
      SignatureVersion: "1",
      Signature: "",
      SigningCertUrl: "",
      UnsubscribeUrl: "",
      MessageAttributes: {},
    },
  })),
});

describe("the alert log on DynamoDB Local", () => {
  let local: LocalStackResources;
  let tableName: string;
  let subscriber: ReturnType<typeof createAlertLogSubscriber>;

  async function partition(day: number) {
    const { Items = [] } = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": alertLogPartition(day) },
      }),
    );
    return Items;
  }

  beforeAll(async () => {
    local = await createTestStack("alert-log");
    tableName = templateFunction(stackTemplate(), local, ALERT_LOG_ENTRY).environment[ALERT_LOG_TABLE_ENV]!;
    subscriber = createAlertLogSubscriber({ tableName, logger: new Logger({ logLevel: "SILENT" }) });
  });

  it("logs each alert once: a repeated delivery of the same alert adds nothing", async () => {
    const alert = alertAt(1, NOW - 60_000);
    const first = await subscriber(snsEvent([JSON.stringify(alert)]));
    const repeat = await subscriber(snsEvent([JSON.stringify(alert)]));
    expect(first).toEqual({ logged: 1, repeats: 0, invalid: 0 });
    expect(repeat).toEqual({ logged: 0, repeats: 1, invalid: 0 });
    const items = (await partition(NOW)).filter((item) => item.alertId === alert.alertId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ alertType: "LOW_STOCK", subjectId: "P-1", details: { quantity: 3 } });
  });

  it("drops a message that is not an alert and goes on with the rest of the delivery", async () => {
    const alert = alertAt(2, NOW - 50_000);
    const result = await subscriber(
      snsEvent(["not json", JSON.stringify({ alertId: "x" }), JSON.stringify(alert)]),
    );
    expect(result).toEqual({ logged: 1, repeats: 0, invalid: 2 });
  });

  it("reads the newest alerts first, across the day boundary, up to the limit", async () => {
    const busy = await createTestStack("alert-log-busy");
    const busyTable = templateFunction(stackTemplate(), busy, ALERT_LOG_ENTRY).environment[
      ALERT_LOG_TABLE_ENV
    ]!;
    const busySubscriber = createAlertLogSubscriber({ tableName: busyTable });
    // 60 alerts a minute apart, from 00:09 back to 23:10 of the day before.
    const alerts = Array.from({ length: 60 }, (_, n) => alertAt(100 + n, NOW - (n + 1) * 60_000));
    for (const alert of [...alerts].reverse()) await busySubscriber(snsEvent([JSON.stringify(alert)]));

    const newest = await readRecentAlerts({ tableName: busyTable, now: NOW, limit: 50 });

    expect(newest.map((alert) => alert.alertId)).toEqual(alerts.slice(0, 50).map((alert) => alert.alertId));
    expect(new Set(newest.map((alert) => alert.eventTime.slice(0, 10)))).toEqual(
      new Set(["2026-12-02", "2026-12-01"]),
    );
  });

  describe("fed by the template's subscription to the alert topic", () => {
    let feed: AlertLogFeed;
    beforeAll(async () => {
      feed = await startAlertLogFeed({
        template: stackTemplate(),
        resources: local,
        endpoints: inject("endpoints"),
      });
    });
    afterAll(() => feed.stop());

    it("logs what the engine publishes on the alert topic", async () => {
      const { ALERT_TOPIC_ARN: topicArn } = templateFunction(
        stackTemplate(),
        local,
        "functions/inventory/handler.ts",
      ).environment;
      const published: Alert = {
        ...alertAt(3, NOW - 10_000, "OUT_OF_STOCK"),
        severity: "critical",
        message: "P-3 is out of stock",
      };
      await sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: [alertEntry(published, "a0")],
        }),
      );
      await feed.drained();

      const newest = await readRecentAlerts({ tableName, now: NOW });

      expect(newest[0]).toEqual({
        alertId: published.alertId,
        alertType: "OUT_OF_STOCK",
        severity: "critical",
        subjectId: "P-3",
        eventTime: published.eventTime,
        message: "P-3 is out of stock",
        details: { quantity: 3 },
      });
    });
  });
});
