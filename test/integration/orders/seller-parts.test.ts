import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { ordersConfig, ordersSettingsFromEnv } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { sellerBreachKey, sellerPartKey } from "../../../functions/orders/keys";
import type { OrderEvent } from "../../../functions/orders/schema";
import {
  SELLER_CANCELLATION_RATE,
  type SellerPart,
  sellerAlertId,
  sellerMinutes,
} from "../../../functions/orders/seller-window";
import {
  createEngineClients,
  type EngineClients,
  type EngineStats,
} from "../../../functions/shared/engine/clients";
import { createKafkaHandler, engineOptionsFromEnv } from "../../../functions/shared/engine/handler";
import type { Alert } from "../../../functions/shared/engine/types";
import { templateFunction } from "../../../local/function-env";
import { buildKafkaEvent } from "../../../local/kafka-event";
import { subscribeInbox } from "../../support/alert-inbox";
import { probedEngineClients } from "../../support/dynamodb-probe";
import {
  byPartition,
  deliverPartition,
  type KafkaHandler,
  lambdaContext,
  longestLambdaContext,
  orderRecords,
} from "../../support/orders-delivery";
import { createTestStack, runTag, stackTemplate } from "../../support/stack";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
// Sellers of this run only: against a deployed stack (npm run test:deploy) every test file shares the tables.
const RUN = runTag();
const RACED = `raced-${RUN}`;
const SPLIT = `split-${RUN}`;
const MINUTE = Date.parse("2026-11-20T23:03:00.000Z");
const PARTITIONS = 6;

async function ordersStack(clients: EngineClients, onBatch?: (stats: EngineStats) => void) {
  const env = templateFunction(
    stackTemplate(),
    await createTestStack("orders-parts"),
    "functions/orders/handler.ts",
  ).environment;
  const config = ordersConfig(ordersSettingsFromEnv(env));
  const logger = new Logger({ serviceName: "orders", logLevel: "SILENT" });
  const handlerOn = (on: EngineClients): KafkaHandler =>
    createKafkaHandler(ordersConsumer, () => engineOptionsFromEnv(config, env), {
      clients: on,
      logger,
      onBatch,
    });
  const inbox = await subscribeInbox(env.ALERT_TOPIC_ARN!);
  const item = async (pk: string) =>
    (
      await dynamodb.send(
        new GetCommand({ TableName: env.STATE_TABLE_NAME!, Key: { pk }, ConsistentRead: true }),
      )
    ).Item;
  return { handler: handlerOn(clients), handlerOn, inbox, item };
}

const order = (index: number, sellerId: string, type: OrderEvent["type"] = "ORDER_PLACED"): OrderEvent => ({
  eventId: `E-${sellerId}-${index}-${type}`,
  type,
  orderId: `O-${sellerId}-${index}`,
  sellerId,
  customerId: `C-${index}`,
  amount: { value: 1999, currency: "EUR" },
  eventTime: new Date(MINUTE + (index % 60) * 1000).toISOString(),
});

describe("seller windows kept in a part per partition", () => {
  it("take 10 sellers' orders from 6 partitions' concurrent invocations without one lost race, counted exactly", {
    timeout: 300_000,
  }, async () => {
    // Every batch of every partition holds orders of all 10 sellers: one seller window per seller would race.
    // S-3 has 6 cancellations in 300 orders, one every 50: never a breach in any partition's view of the
    // others (a view holding 3 cancellations holds far more than 15 orders), so never a breach write either.
    const sellers = Array.from({ length: 10 }, (_, i) => `S-${RUN}-${i}`);
    const placed = Array.from({ length: 3_000 }, (_, index) => ({
      event: order(
        index,
        sellers[index % sellers.length]!,
        index % 500 === 3 ? "ORDER_CANCELLED" : "ORDER_PLACED",
      ),
      partition: Math.floor(index / sellers.length) % PARTITIONS,
    }));
    const probe = probedEngineClients();
    const batches: EngineStats[] = [];
    const { handler, item } = await ordersStack(probe.clients, (stats) => batches.push(stats));

    await Promise.all(
      [...byPartition(orderRecords(placed)).values()].map((records) =>
        deliverPartition(handler, records, 100, undefined, longestLambdaContext),
      ),
    );

    // No race: a refused write is at most the retry of one whose answer a slow emulator lost (0 on DynamoDB Local).
    const retries = batches.reduce((sum, stats) => sum + stats.retries, 0);
    expect(batches.reduce((sum, stats) => sum + stats.conflicts, 0)).toBeLessThanOrEqual(retries);
    // One write per seller part and minute shard per batch: the same as one partition at a time would make.
    expect(probe.writes.get("sellerPart")).toBe(
      batches.length * sellers.length, // 30 batches of 100, each with orders of all 10 sellers
    );
    for (const sellerId of sellers) {
      const parts = await Promise.all(
        Array.from({ length: PARTITIONS }, (_, partition) => item(sellerPartKey(sellerId, partition))),
      );
      const [minute] = sellerMinutes(parts.map((part) => part!.state as SellerPart));
      const ofSeller = placed.filter(({ event }) => event.sellerId === sellerId);
      expect(minute).toMatchObject({
        minute: "2026-11-20T23:03:00.000Z",
        placed: ofSeller.filter(({ event }) => event.type === "ORDER_PLACED").length,
        cancelled: ofSeller.filter(({ event }) => event.type === "ORDER_CANCELLED").length,
      });
    }
  });

  it("alert once when two partitions take their seller into breach at the same moment", async () => {
    // Partitions 0 and 1 each hold 10 placed and 5 cancelled orders of the seller: each alone enters breach.
    const placed = [0, 1].flatMap((partition) => [
      ...Array.from({ length: 10 }, (_, i) => ({ event: order(partition * 100 + i, RACED), partition })),
      ...Array.from({ length: 5 }, (_, i) => ({
        event: order(partition * 100 + i, RACED, "ORDER_CANCELLED"),
        partition,
      })),
    ]);
    const [first, second] = [...byPartition(orderRecords(placed)).values()];
    const batches: EngineStats[] = [];
    const probe = probedEngineClients();
    const { handlerOn, inbox, item } = await ordersStack(probe.clients, (stats) => batches.push(stats));
    // Partition 0's invocation reads, folds, and holds its breach write until partition 1's has entered breach.
    let reachedWrite: () => void = () => {};
    const firstAtWrite = new Promise<void>((resolve) => (reachedWrite = resolve));
    let release: () => void = () => {};
    const secondDone = new Promise<void>((resolve) => (release = resolve));
    const held = createEngineClients();
    held.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^TransactWrite/.test(String(context.commandName))) {
          reachedWrite();
          await secondDone;
        }
        return next(args);
      },
      { step: "initialize", name: "holdTheBreachWrite" },
    );

    const firstRun = handlerOn({ ...probe.clients, dynamodb: held.dynamodb })(
      buildKafkaEvent(first!),
      lambdaContext,
    );
    await Promise.race([
      firstAtWrite,
      firstRun.then(() => {
        throw new Error("partition 0's invocation ended without writing the breach");
      }),
    ]);
    const secondResponse = await handlerOn(probe.clients)(buildKafkaEvent(second!), lambdaContext);
    release();
    const firstResponse = await firstRun;

    expect([firstResponse, secondResponse]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    // Partition 0 lost the race for the breach item, re-read it with partition 1's part, and found it in breach.
    expect(batches.reduce((sum, stats) => sum + stats.conflicts, 0)).toBeGreaterThanOrEqual(1);
    const alerts = (await inbox.drain<Alert>()).filter((alert) => alert.subjectId === RACED);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.alertType).toBe(SELLER_CANCELLATION_RATE);
    expect(alerts[0]).toMatchObject({ subjectId: RACED, details: { placed: 10, cancelled: 3 } });
    expect((await item(sellerBreachKey(RACED)))?.state).toEqual({ sellerId: RACED, inBreach: true });
    const parts = await Promise.all([0, 1].map((partition) => item(sellerPartKey(RACED, partition))));
    expect(sellerMinutes(parts.map((part) => part!.state as SellerPart))).toMatchObject([
      { placed: 20, cancelled: 10 },
    ]);
  });

  it("give a batch of several partitions what its partitions give one after the other", async () => {
    // Partition 0 alone (6 placed, 1 cancelled) and partition 3 alone (5 placed, 2 cancelled) are below 10
    // placed; together, in partition order, the second cancellation of partition 3 makes 3 of 11: a breach.
    const placed = [
      ...Array.from({ length: 6 }, (_, i) => ({ event: order(i, SPLIT), partition: 0 })),
      { event: order(0, SPLIT, "ORDER_CANCELLED"), partition: 0 },
      ...Array.from({ length: 5 }, (_, i) => ({ event: order(300 + i, SPLIT), partition: 3 })),
      ...[300, 301].map((i) => ({ event: order(i, SPLIT, "ORDER_CANCELLED"), partition: 3 })),
    ];
    const { handler, inbox, item } = await ordersStack(probedEngineClients().clients);

    const response = await handler(buildKafkaEvent(orderRecords(placed)), lambdaContext);

    expect(response).toEqual({ batchItemFailures: [] });
    const alerts = (await inbox.drain<Alert>()).filter((alert) => alert.subjectId === SPLIT);
    expect(alerts).toEqual([
      expect.objectContaining({
        alertType: SELLER_CANCELLATION_RATE,
        details: expect.objectContaining({ placed: 11, cancelled: 3 }),
      }),
    ]);
    expect(alerts[0]?.alertId).toBe(sellerAlertId(SPLIT, order(301, SPLIT, "ORDER_CANCELLED").eventId));
    expect((await item(sellerBreachKey(SPLIT)))?.state).toEqual({ sellerId: SPLIT, inBreach: true });
  });
});
