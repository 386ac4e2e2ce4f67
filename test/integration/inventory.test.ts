import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, MSKEvent } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { AVAILABILITY_TABLE_ENV } from "../../functions/availability-api/api";
import { stockAlertId } from "../../functions/inventory/alerts";
import type { Availability, StockAlertType } from "../../functions/inventory/availability";
import { inventoryConfigFromEnv } from "../../functions/inventory/config";
import { inventoryConsumer } from "../../functions/inventory/consumer";
import { createKafkaHandler, engineOptionsFromEnv } from "../../functions/shared/engine/handler";
import { HANDLER_METADATA } from "../../lib/constructs/kafka-consumer";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { type CfnResource, resourcesOfType } from "../../local/template";
import { drainQueue, subscribeInbox } from "../support/alert-inbox";
import { functionUrlEvent } from "../support/function-url";
import {
  firstOffsetWhere,
  INVENTORY_TOPIC,
  inBatches,
  SPIKE_THRESHOLDS,
  viralSpike,
} from "../support/inventory-spike";
import { createTestStack, stackTemplate } from "../support/stack";

type Handler = (event: MSKEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
interface ReceivedAlert {
  alertId: string;
  alertType: string;
  severity: string;
  subjectId: string;
  eventTime: string;
  message: string;
}

const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const spike = viralSpike();
const { products, records } = spike;
const mug = products[0]!;

/** The one function of the synthesized template that `match` picks. */
function templateFunction(match: (resource: CfnResource) => boolean): CfnResource {
  const found = resourcesOfType(stackTemplate(), "AWS::Lambda::Function").find(([, resource]) =>
    match(resource),
  );
  if (!found) throw new Error("no such function in the template");
  return found[1];
}
const environmentOf = (resource: CfnResource) =>
  (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
const consumerFunction = templateFunction(
  (fn) =>
    (fn.Metadata?.[HANDLER_METADATA] as { entry?: string } | undefined)?.entry ===
    "functions/inventory/handler.ts",
);
const apiFunction = templateFunction((fn) => AVAILABILITY_TABLE_ENV in environmentOf(fn));

/** A local copy of the stack, the consumer and API functions' environments resolved against it, and an alert inbox. */
async function inventoryStack() {
  const local = await createTestStack("inventory");
  const env: Record<string, string> = {
    ...(local.resolve(environmentOf(consumerFunction)) as Record<string, string>),
    // As `-c theworldshop:inventory='{"lowStockThresholds":{"P-789":25}}'` sets it.
    LOW_STOCK_THRESHOLDS: JSON.stringify(SPIKE_THRESHOLDS),
  };
  const apiEnv = local.resolve(environmentOf(apiFunction)) as Record<string, string>;
  const inbox = await subscribeInbox(env.ALERT_TOPIC_ARN!);
  return { local, env, apiEnv, inbox };
}

/** The handler as functions/inventory/handler.ts builds it, given the function's environment. */
function inventoryHandler(env: Record<string, string>): Handler {
  return createKafkaHandler(inventoryConsumer, () => engineOptionsFromEnv(inventoryConfigFromEnv(env), env));
}

async function deliver(handler: Handler, batches: readonly RawKafkaRecord[][]) {
  for (const batch of batches) {
    expect(await handler(buildKafkaEvent(batch), context)).toEqual({ batchItemFailures: [] });
  }
}

async function availabilityItems(tableName: string) {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Object.fromEntries(Items.map((item) => [String(item.pk), item]));
}

const alertId = (partition: number, offset: number, type: StockAlertType, productId = "P-123") =>
  stockAlertId(type, productId, { topic: INVENTORY_TOPIC, partition, offset });
const mugLowAt = firstOffsetWhere(records, "P-123", (q) => q < 10);
const mugOutAt = firstOffsetWhere(records, "P-123", (q) => q === 0);
const EXPECTED_ALERT_IDS = [
  alertId(0, mugLowAt, "LOW_STOCK"),
  alertId(0, mugOutAt, "OUT_OF_STOCK"),
  alertId(
    2,
    firstOffsetWhere(records, "P-789", (q) => q < 25),
    "LOW_STOCK",
    "P-789",
  ),
  alertId(
    2,
    firstOffsetWhere(records, "P-789", (q) => q === 0),
    "OUT_OF_STOCK",
    "P-789",
  ),
  alertId(
    2,
    firstOffsetWhere(records, "P-789", (q) => q === 100),
    "BACK_IN_STOCK",
    "P-789",
  ),
].sort();

describe("inventory through the engine: the viral spike", () => {
  let stack: Awaited<ReturnType<typeof inventoryStack>>;
  let alerts: ReceivedAlert[];
  let items: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    stack = await inventoryStack();
    Object.assign(process.env, stack.env);
    const { handler } = (await import("../../functions/inventory/handler")) as unknown as {
      handler: Handler;
    };
    await deliver(handler, inBatches(records, 100));
    alerts = await stack.inbox.drain<ReceivedAlert>();
    items = await availabilityItems(stack.env.STATE_TABLE_NAME!);
  });

  it("alerts LOW_STOCK and OUT_OF_STOCK exactly once for the viral product", () => {
    const mugAlerts = alerts.filter((alert) => alert.subjectId === "P-123");
    const outAt = JSON.parse(
      records.find((r) => r.partition === 0 && r.offset === mugOutAt)!.value!,
    ).eventTime;

    expect(mugAlerts.map(({ alertId, alertType, severity }) => ({ alertId, alertType, severity }))).toEqual([
      { alertId: alertId(0, mugLowAt, "LOW_STOCK"), alertType: "LOW_STOCK", severity: "warning" },
      { alertId: alertId(0, mugOutAt, "OUT_OF_STOCK"), alertType: "OUT_OF_STOCK", severity: "critical" },
    ]);
    expect(mugAlerts[1]).toMatchObject({
      eventTime: outAt,
      message: `P-123 'Blue mug' is out of stock as of ${outAt.slice(11, 19)} UTC; last 10 minutes sold 500`,
    });
  });

  it("alerts nothing else: the override product's transitions, nothing for the steady one", () => {
    expect(alerts.map((alert) => alert.alertId).sort()).toEqual(EXPECTED_ALERT_IDS);
  });

  it("shows the viral product out of stock as of its last sale, with the re-sent snapshots counted", () => {
    const outAt = JSON.parse(
      records.find((r) => r.partition === 0 && r.offset === mugOutAt)!.value!,
    ).eventTime;

    expect(items["P-123"]?.state).toMatchObject({
      quantity: 0,
      status: "OUT_OF_STOCK",
      asOf: outAt,
      productName: "Blue mug",
      staleIgnored: mug.staleCount,
    } satisfies Partial<Availability>);
    expect(items["P-456"]?.state).toMatchObject({ quantity: 181, status: "IN_STOCK" });
    expect(items["P-789"]?.state).toMatchObject({ quantity: 100, status: "IN_STOCK", staleIgnored: 1 });
    expect(items["P-123"]).toMatchObject({ [`f:${INVENTORY_TOPIC}:0`]: mug.snapshots.length - 1 });
  });

  it("sends the negative quantity to the rejected-records queue and applies the records around it", async () => {
    const rejected = await drainQueue<Record<string, unknown>>(stack.env.REJECTED_QUEUE_URL!);

    expect(rejected).toEqual([
      expect.objectContaining({ consumer: "inventory", topic: INVENTORY_TOPIC, partition: 1, offset: 60 }),
    ]);
    expect(rejected[0]?.reason).toMatch(/quantity/);
  });
});

describe("the availability API on the table the engine wrote", () => {
  type ApiHandler = (
    event: ReturnType<typeof functionUrlEvent>,
  ) => Promise<{ statusCode?: number; body?: string }>;
  let api: ApiHandler;
  let outAt: string;

  beforeAll(async () => {
    const stack = await inventoryStack();
    await deliver(inventoryHandler(stack.env), inBatches(records, 100));
    Object.assign(process.env, stack.apiEnv);
    ({ handler: api } = (await import("../../functions/availability-api/handler")) as unknown as {
      handler: ApiHandler;
    });
    outAt = JSON.parse(records.find((r) => r.partition === 0 && r.offset === mugOutAt)!.value!).eventTime;
  });

  const call = async (request: Parameters<typeof functionUrlEvent>[0]) => {
    const response = await api(functionUrlEvent(request));
    return { status: response.statusCode, body: JSON.parse(response.body ?? "null") };
  };

  it("answers the viral product out of stock as of its last sale", async () => {
    expect(await call({ url: "/availability/P-123" })).toEqual({
      status: 200,
      body: { productId: "P-123", quantity: 0, status: "OUT_OF_STOCK", asOf: outAt },
    });
  });

  it("answers 404 for a product never stocked and 400 for a bad id", async () => {
    expect(await call({ url: "/availability/P-999" })).toMatchObject({ status: 404 });
    expect(await call({ url: "/availability/P%2F1" })).toMatchObject({ status: 400 });
  });

  it("answers a batch by query string or POST, listing the unknown products", async () => {
    const expected = {
      status: 200,
      body: {
        products: [
          { productId: "P-123", quantity: 0, status: "OUT_OF_STOCK", asOf: outAt },
          expect.objectContaining({ productId: "P-789", quantity: 100, status: "IN_STOCK" }),
        ],
        unknown: ["P-999"],
      },
    };
    expect(await call({ url: "/availability?productIds=P-123,P-789,P-999" })).toEqual(expected);
    expect(await call({ url: "/availability", json: { productIds: ["P-123", "P-789", "P-999"] } })).toEqual(
      expected,
    );
    const tooMany = Array.from({ length: 101 }, (_, i) => `P-${i}`);
    expect(await call({ url: "/availability", json: { productIds: tooMany } })).toMatchObject({
      status: 400,
    });
  });
});

describe("inventory through the engine: redelivery and re-batching", () => {
  async function run(batches: RawKafkaRecord[][]) {
    const stack = await inventoryStack();
    await deliver(inventoryHandler(stack.env), batches);
    const items = await availabilityItems(stack.env.STATE_TABLE_NAME!);
    const states = Object.fromEntries(Object.entries(items).map(([pk, item]) => [pk, item.state]));
    const alertIds = (await stack.inbox.drain<ReceivedAlert>()).map((alert) => alert.alertId);
    return { states, alertIds };
  }

  let reference: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    reference = await run([records]);
  });

  it("ends in the same state with each alert published once when every batch is delivered twice", async () => {
    const twice = inBatches(records, 40).flatMap((batch) => [batch, batch]);

    const redelivered = await run(twice);

    expect(reference.alertIds.sort()).toEqual(EXPECTED_ALERT_IDS);
    expect(redelivered.states).toEqual(reference.states);
    expect(redelivered.alertIds.sort()).toEqual(EXPECTED_ALERT_IDS);
  });

  it("ends in the same state with the same alert ids whatever the batch size, overlapping retries included", async () => {
    for (const size of [7, 64]) {
      const batches = inBatches(records, size);
      // A retry from the middle of an earlier batch, as after a partial failure or a rebalance.
      const retried = [...batches.slice(0, 3), records.slice(size, size * 5), ...batches.slice(3)];

      const rebatched = await run(retried);

      expect(rebatched.states).toEqual(reference.states);
      expect(rebatched.alertIds.sort()).toEqual(EXPECTED_ALERT_IDS);
    }
  });
});
