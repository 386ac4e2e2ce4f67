import { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { ordersConfig, ordersSettingsFromEnv } from "../../functions/orders/config";
import { ordersConsumer } from "../../functions/orders/consumer";
import type { OrderEvent } from "../../functions/orders/schema";
import { sellerAlertId } from "../../functions/orders/seller-window";
import type { Consumer } from "../../functions/shared/engine/types";
import type { RawKafkaRecord } from "../../local/kafka-event";
import { redriveRejected } from "../../local/ops/redrive";
import { drainQueue } from "../support/alert-inbox";
import { faultInjectingClients, faultOnNth, isKeyWrite } from "../support/fault-injection";
import { orderEvent } from "../support/orders";
import { consumerHandler, invokeHandler } from "../support/redrive";
import { alertIds, consumerStack, deliver, minutes, rejectedAsFormat2 } from "../support/redrive-run";

const sqs = new SQSClient({});
const ORDERS = "functions/orders/handler.ts";

/** Our schema, too strict: it refuses orders above 100.00. */
const strictOrders: Consumer<OrderEvent, unknown, unknown> = {
  ...(ordersConsumer as Consumer<OrderEvent, unknown, unknown>),
  schema: ordersConsumer.schema.refine((value) => value.amount.value <= 10_000, {
    message: "amount above 100.00",
    path: ["amount", "value"],
  }),
};

const order = (
  offset: number,
  orderId: string,
  value: number,
  changes: Partial<OrderEvent> = {},
): RawKafkaRecord => {
  const event = orderEvent({
    orderId,
    amount: { value, currency: "EUR" },
    eventTime: new Date(Date.UTC(2026, 10, 20, 23, 3, offset)).toISOString(),
    ...changes,
  });
  return {
    topic: "theworldshop.orders",
    partition: 0,
    offset,
    key: orderId,
    value: JSON.stringify(event),
    timestamp: Date.parse(event.eventTime),
  };
};
const ORDER_RECORDS = Array.from({ length: 12 }, (_, i) => order(i, `O-${i}`, i % 4 === 0 ? 25_000 : 1250));

describe("redrive of rejected orders, exactly once", () => {
  it("applies orders once per key when the redrive crashed half-way, then ran again racing live traffic", async () => {
    const live = Array.from({ length: 4 }, (_, i) => order(12 + i, `O-${12 + i}`, 1250));
    const reference = await consumerStack("redrive-oref", ORDERS);
    const ordersOf = (env: Record<string, string>) => ordersConfig(ordersSettingsFromEnv(env));
    await deliver(consumerHandler(ordersConsumer, ordersOf(reference.env), reference.env), [
      ...ORDER_RECORDS,
      ...live,
    ]);
    const run = await consumerStack("redrive-ord", ORDERS);
    await deliver(consumerHandler(strictOrders, ordersOf(run.env), run.env), ORDER_RECORDS);
    const refused = ORDER_RECORDS.filter((r) => JSON.parse(r.value!).amount.value > 10_000);
    await rejectedAsFormat2(run.env.REJECTED_QUEUE_URL!, "orders", refused);
    const queueUrl = run.env.REJECTED_QUEUE_URL!;

    // The second key write of the redrive takes effect, then the process dies.
    const crashing = faultInjectingClients(faultOnNth(isKeyWrite, 2, "crash-after"));
    const crashed = await redriveRejected({
      sqs,
      queueUrl,
      consumer: "orders",
      invoke: invokeHandler(consumerHandler(ordersConsumer, ordersOf(run.env), run.env, crashing.clients)),
    });
    expect(crashed.unfinished.map((c) => c.offset).sort((a, b) => a - b)).toEqual([0, 4, 8]);
    expect(crashed.applied).toEqual([]);

    const fixed = consumerHandler(ordersConsumer, ordersOf(run.env), run.env);
    const [again] = await Promise.all([
      redriveRejected({ sqs, queueUrl, consumer: "orders", invoke: invokeHandler(fixed) }),
      deliver(consumerHandler(ordersConsumer, ordersOf(run.env), run.env), live),
    ]);

    expect(again.applied.map((c) => c.offset).sort((a, b) => a - b)).toEqual([0, 4, 8]);
    expect(await drainQueue(queueUrl)).toEqual([]);
    // Minute counts only: the live orders raced the redrive into S-1's window, and a seller's alerts depend on
    // the order its records arrive in; the next test compares the alerts where that order cannot differ.
    expect(await minutes(run.env.STATE_TABLE_NAME!)).toEqual(await minutes(reference.env.STATE_TABLE_NAME!));
  });

  it("leaves the orders' minute counts and seller alerts as a run that never rejected them", async () => {
    // A redriven order reaches its seller's window after every live one, so the alerts can equal only where no
    // evaluation depends on that: S-1's refused orders are placed and S-1 has no cancellation (no breach either
    // way); S-3's breach comes from its last record, refused, then redriven against the same counts.
    const cancelled = { sellerId: "S-3", type: "ORDER_CANCELLED" } as const;
    const records = [
      ...ORDER_RECORDS,
      ...Array.from({ length: 10 }, (_, i) => order(12 + i, `O-S3-${i}`, 1250, { sellerId: "S-3" })),
      order(22, "O-S3-0", 1250, cancelled),
      order(23, "O-S3-1", 1250, cancelled),
      order(24, "O-S3-2", 25_000, cancelled),
    ];
    const ordersOf = (env: Record<string, string>) => ordersConfig(ordersSettingsFromEnv(env));
    const reference = await consumerStack("redrive-aref", ORDERS);
    await deliver(consumerHandler(ordersConsumer, ordersOf(reference.env), reference.env), records);
    const run = await consumerStack("redrive-alr", ORDERS);
    await deliver(consumerHandler(strictOrders, ordersOf(run.env), run.env), records);
    expect(await alertIds(run.inbox)).toEqual([]);

    const report = await redriveRejected({
      sqs,
      queueUrl: run.env.REJECTED_QUEUE_URL!,
      consumer: "orders",
      invoke: invokeHandler(consumerHandler(ordersConsumer, ordersOf(run.env), run.env)),
    });

    expect(report.applied.map((c) => c.offset).sort((a, b) => a - b)).toEqual([0, 4, 8, 24]);
    expect(await minutes(run.env.STATE_TABLE_NAME!)).toEqual(await minutes(reference.env.STATE_TABLE_NAME!));
    const alerts = await alertIds(reference.inbox);
    expect(alerts).toEqual([sellerAlertId("S-3", "O-S3-2-ORDER_CANCELLED")]);
    expect(await alertIds(run.inbox)).toEqual(alerts);
  });
});
