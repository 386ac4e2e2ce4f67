import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SNSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { ALERT_LOG_TABLE_ENV } from "../../../functions/alert-log/alert-log";
import { createAlertLogSubscriber } from "../../../functions/alert-log/subscriber";
import { ordersConfig, ordersSettingsFromEnv } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import type { OrderEvent } from "../../../functions/orders/schema";
import { createKafkaHandler, engineOptionsFromEnv } from "../../../functions/shared/engine/handler";
import type { Alert } from "../../../functions/shared/engine/types";
import { ALERT_LOG_ENTRY } from "../../../local/alert-log-feed";
import { templateFunction } from "../../../local/function-env";
import { buildKafkaEvent, type RawKafkaRecord } from "../../../local/kafka-event";
import { subscribeInbox } from "../../support/alert-inbox";
import { ORDERS_TOPIC, orderEvent } from "../../support/orders";
import { createTestStack, stackTemplate } from "../../support/stack";

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;
const AT = "2026-11-20T23:03:12.000Z";

/** Ten placed orders and three cancellations of `sellerId`; the third cancellation, `breachingEventId`, breaches. */
function breachOf(sellerId: string, breachingEventId: string): OrderEvent[] {
  const placed = Array.from({ length: 10 }, (_, i) =>
    orderEvent({
      sellerId,
      orderId: `${sellerId}/O-${i}`,
      eventId: `${sellerId}/placed-${i}`,
      eventTime: AT,
    }),
  );
  const cancelled = [0, 1, 2].map((i) =>
    orderEvent({
      sellerId,
      type: "ORDER_CANCELLED",
      orderId: `${sellerId}/O-${i}`,
      eventId: i === 2 ? breachingEventId : `${sellerId}/cancelled-${i}`,
      eventTime: AT,
    }),
  );
  return [...placed, ...cancelled];
}

describe("seller cancellation-rate alert ids", () => {
  it("are two for two sellers whose ids and event ids run together, and the alert log keeps both", async () => {
    const stack = await createTestStack("orders-alert-ids");
    const env = { ...templateFunction(stackTemplate(), stack, "functions/orders/handler.ts").environment };
    const inbox = await subscribeInbox(env.ALERT_TOPIC_ARN!);
    const handler = createKafkaHandler(ordersConsumer, () =>
      engineOptionsFromEnv(ordersConfig(ordersSettingsFromEnv(env)), env),
    );
    const events = [...breachOf("acme211", "x#1"), ...breachOf("acme211#x", "1")];
    const records: RawKafkaRecord[] = events.map((value, offset) => ({
      topic: ORDERS_TOPIC,
      partition: 0,
      offset,
      key: value.orderId,
      value: JSON.stringify(value),
      timestamp: Date.parse(value.eventTime),
    }));

    expect(await handler(buildKafkaEvent(records), context)).toEqual({ batchItemFailures: [] });

    const alerts = await inbox.drain<Alert>();
    expect(
      alerts
        .map(({ alertType, subjectId }) => ({ alertType, subjectId }))
        .sort((a, b) => a.subjectId.localeCompare(b.subjectId)),
    ).toEqual([
      { alertType: "SELLER_CANCELLATION_RATE", subjectId: "acme211" },
      { alertType: "SELLER_CANCELLATION_RATE", subjectId: "acme211#x" },
    ]);
    expect(new Set(alerts.map((alert) => alert.alertId)).size).toBe(2);
    const tableName = templateFunction(stackTemplate(), stack, ALERT_LOG_ENTRY).environment[
      ALERT_LOG_TABLE_ENV
    ]!;
    const subscriber = createAlertLogSubscriber({ tableName, logger: new Logger({ logLevel: "SILENT" }) });
    const delivery = {
      Records: alerts.map((alert, i) => ({ Sns: { MessageId: `m-${i}`, Message: JSON.stringify(alert) } })),
    } as unknown as SNSEvent;
    expect(await subscriber(delivery)).toEqual({ logged: 2, repeats: 0, invalid: 0 });
  });
});
