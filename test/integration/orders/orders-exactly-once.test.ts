import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { ordersConfig, ordersSettingsFromEnv } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { sellerPartKey } from "../../../functions/orders/keys";
import { readOrdersPerMinute } from "../../../functions/orders/orders-per-minute";
import { sellerMinutes as combinedMinutes, type SellerPart } from "../../../functions/orders/seller-window";
import type { EngineClients, EngineStats } from "../../../functions/shared/engine/clients";
import { createKafkaHandler, engineOptionsFromEnv } from "../../../functions/shared/engine/handler";
import type { Alert } from "../../../functions/shared/engine/types";
import { templateFunction } from "../../../local/function-env";
import { buildKafkaEvent } from "../../../local/kafka-event";
import { subscribeInbox } from "../../support/alert-inbox";
import { probedEngineClients, type WriteFault } from "../../support/dynamodb-probe";
import {
  byPartition,
  deliverPartition,
  type KafkaHandler,
  lambdaContext,
} from "../../support/orders-delivery";
import {
  comparableMinutes,
  expectedPerMinute,
  HOT_SELLER,
  referenceSeller,
  SCENARIO_PARTITIONS,
  scenarioRecords,
  seeded,
} from "../../support/orders-scenario";
import { createTestStack, stackTemplate } from "../../support/stack";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const records = scenarioRecords();
const partitions = byPartition(records);
const sellers = [...new Set(records.map((record) => JSON.parse(record.value!).sellerId as string))].sort();

/** The orders consumer on a fresh copy of the stack, as the function would run it, on the given clients. */
async function ordersOnFreshStack(clients?: EngineClients, onBatch?: (stats: EngineStats) => void) {
  const env = templateFunction(
    stackTemplate(),
    await createTestStack("orders"),
    "functions/orders/handler.ts",
  ).environment;
  const config = ordersConfig(ordersSettingsFromEnv(env));
  // The injected faults would fill the output with the engine's error logs.
  const logger = new Logger({ serviceName: "orders", logLevel: "SILENT" });
  const handler: KafkaHandler = createKafkaHandler(ordersConsumer, () => engineOptionsFromEnv(config, env), {
    clients,
    logger,
    onBatch,
  });
  const inbox = await subscribeInbox(env.ALERT_TOPIC_ARN!);
  return { handler, inbox, tableName: env.STATE_TABLE_NAME!, config };
}

async function outcome(tableName: string, inbox: { drain: <T>() => Promise<T[]> }) {
  const perMinute = await readOrdersPerMinute({
    tableName,
    now: new Date("2026-11-20T12:04:59.000Z"),
    minutes: 5,
    partitions: SCENARIO_PARTITIONS,
    consistentRead: true,
    dynamodb,
  });
  const partKeys = sellers.flatMap((id) =>
    Array.from({ length: SCENARIO_PARTITIONS }, (_, partition) => ({ pk: sellerPartKey(id, partition) })),
  );
  const parts: SellerPart[] = [];
  for (let start = 0; start < partKeys.length; start += 100) {
    const { Responses } = await dynamodb.send(
      new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: partKeys.slice(start, start + 100), ConsistentRead: true } },
      }),
    );
    parts.push(...(Responses?.[tableName] ?? []).map((item) => item.state as SellerPart));
  }
  const sellerMinutes = Object.fromEntries(
    sellers.map((id) => [
      id,
      comparableMinutes(combinedMinutes(parts.filter((part) => part.sellerId === id))),
    ]),
  );
  const alerts = await inbox.drain<Alert>();
  return {
    perMinute,
    sellerMinutes,
    hotAlerts: alerts.filter((alert) => alert.subjectId === HOT_SELLER),
    alerts,
  };
}

async function inOrder(handler: KafkaHandler, batchSize: number) {
  for (const partitionRecords of partitions.values())
    await deliverPartition(handler, partitionRecords, batchSize);
}

describe("orders through the exactly-once engine", () => {
  it("counts every record once, one batch of 100 after another", async () => {
    const { handler, inbox, tableName, config } = await ordersOnFreshStack();

    await inOrder(handler, 100);

    const result = await outcome(tableName, inbox);
    expect(result.perMinute).toEqual(expectedPerMinute(records));
    const reference = referenceSeller(records, HOT_SELLER, config);
    expect(reference.alerts).toHaveLength(2);
    expect(result.hotAlerts).toEqual(reference.alerts);
    expect(result.sellerMinutes[HOT_SELLER]).toEqual(comparableMinutes(reference.minutes));
    const shard = await dynamodb.send(
      new GetCommand({ TableName: tableName, Key: { pk: "minute#2026-11-20T12:01:00.000Z#p1" } }),
    );
    // Only partition 1's records touched partition 1's shard.
    expect(Object.keys(shard.Item ?? {}).filter((name) => name.startsWith("f:"))).toEqual([
      "f:theworldshop.orders:1",
    ]);
    expect(shard.Item?.expiresAt).toBe(Date.parse("2026-11-20T12:02:00.000Z") / 1000 + 48 * 3600);
  });

  it("gives the same counts, windows and alerts when every batch is delivered twice", async () => {
    const expected = await ordersOnFreshStack().then(async (run) => {
      await inOrder(run.handler, 100);
      return outcome(run.tableName, run.inbox);
    });
    const { handler, inbox, tableName } = await ordersOnFreshStack();
    const twice: KafkaHandler = async (event, context) => {
      await handler(event, context);
      return handler(event, context);
    };

    await inOrder(twice, 100);

    const result = await outcome(tableName, inbox);
    expect(result.perMinute).toEqual(expected.perMinute);
    expect(result.sellerMinutes).toEqual(expected.sellerMinutes);
    expect(result.hotAlerts).toEqual(expected.hotAlerts);
  });

  it("gives the same counts, windows and alerts when re-batched, partly redelivered and interleaved", async () => {
    const expected = await ordersOnFreshStack().then(async (run) => {
      await inOrder(run.handler, 500);
      return outcome(run.tableName, run.inbox);
    });
    const { handler, inbox, tableName } = await ordersOnFreshStack();
    const random = seeded(7);
    const cursors = new Map([...partitions.keys()].map((partition) => [partition, 0]));
    let invocations = 0;
    while ([...cursors].some(([partition, cursor]) => cursor < partitions.get(partition)!.length)) {
      const open = [...cursors].filter(([partition, cursor]) => cursor < partitions.get(partition)!.length);
      const [partition, cursor] = open[Math.floor(random() * open.length)]!;
      const partitionRecords = partitions.get(partition)!;
      // The event source mapping may start again before the end of the last batch (a retry from an earlier offset).
      const from = random() < 0.3 ? Math.max(0, cursor - Math.floor(random() * 40)) : cursor;
      const batch = partitionRecords.slice(from, from + 1 + Math.floor(random() * 60));
      const event = buildKafkaEvent(batch);
      // Now and then two invocations overlap on one partition, as during a rebalance.
      const responses = await Promise.all(
        random() < 0.2
          ? [handler(event, lambdaContext), handler(event, lambdaContext)]
          : [handler(event, lambdaContext)],
      );
      invocations += responses.length;
      const failed = responses.flatMap((response) => response.batchItemFailures);
      expect(failed).toEqual([]);
      cursors.set(partition, Math.max(cursor, from + batch.length));
    }

    const result = await outcome(tableName, inbox);
    expect(invocations).toBeGreaterThan(records.length / 30);
    expect(result.perMinute).toEqual(expected.perMinute);
    expect(result.sellerMinutes).toEqual(expected.sellerMinutes);
    expect(result.hotAlerts).toEqual(expected.hotAlerts);
  });

  it("gives the same counts and alerts when writes fail or lose DynamoDB's answer after applying", async () => {
    const expected = await ordersOnFreshStack().then(async (run) => {
      await inOrder(run.handler, 100);
      return outcome(run.tableName, run.inbox);
    });
    const fault = (call: number): WriteFault =>
      call % 7 === 0 ? "lose-response" : call % 11 === 0 ? "fail-before" : "none";
    const probe = probedEngineClients(fault);
    let retries = 0;
    const { handler, inbox, tableName } = await ordersOnFreshStack(probe.clients, (stats) => {
      retries += stats.retries;
    });

    await inOrder(handler, 100);

    const result = await outcome(tableName, inbox);
    expect(probe.injected.get("lose-response")).toBeGreaterThan(5);
    expect(probe.injected.get("fail-before")).toBeGreaterThan(2);
    // One retry layer: the engine retries a failed state write inside the invocation, within its budget (an
    // outbox acknowledgement that fails is left to the next touch or the relay, not retried).
    expect(retries).toBeGreaterThan(0);
    expect(result.perMinute).toEqual(expected.perMinute);
    expect(result.sellerMinutes).toEqual(expected.sellerMinutes);
    // A lost acknowledgement may publish an alert again, always with the same alertId.
    expect([...new Set(result.hotAlerts.map((alert) => alert.alertId))]).toEqual(
      expected.hotAlerts.map((alert) => alert.alertId),
    );
  });
});
