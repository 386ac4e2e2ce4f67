import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
import { ordersConfig, ordersSettingsFromEnv } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { readOrdersPerMinute } from "../../../functions/orders/orders-per-minute";
import type { OrderEvent } from "../../../functions/orders/schema";
import type { EngineStats } from "../../../functions/shared/engine/clients";
import { createKafkaHandler, engineOptionsFromEnv } from "../../../functions/shared/engine/handler";
import { templateFunction } from "../../../local/function-env";
import { probedEngineClients } from "../../support/dynamodb-probe";
import {
  byPartition,
  deliverPartition,
  longestLambdaContext,
  orderRecords,
} from "../../support/orders-delivery";
import { seeded } from "../../support/orders-scenario";
import { createTestStack, runTag, stackTemplate } from "../../support/stack";

const PARTITIONS = 6;
const ORDERS = 10_000;
const BATCH_SIZE = 500;
/** The marketplace's sellers; each order's seller is drawn from them, so a seller's orders land on any partition. */
const SELLERS = 50_000;
const MINUTE = Date.parse("2026-11-20T23:03:00.000Z");
// Sellers of this run only: against a deployed stack (npm run test:deploy) every test file shares the tables.
const RUN = runTag();

function hotMinuteOrders() {
  const random = seeded(2303);
  return Array.from({ length: ORDERS }, (_, index) => {
    const event: OrderEvent = {
      eventId: `E-${index}`,
      type: index % 10 === 9 ? "ORDER_CANCELLED" : "ORDER_PLACED",
      orderId: `O-${index}`,
      sellerId: `S-${RUN}-${Math.floor(random() * SELLERS)}`,
      customerId: `C-${index}`,
      amount: index % 4 === 0 ? { value: 2500, currency: "USD" } : { value: 1999, currency: "EUR" },
      eventTime: new Date(MINUTE + Math.floor((index / ORDERS) * 60_000)).toISOString(),
    };
    return { event, partition: index % PARTITIONS };
  });
}

describe("the hot minute", () => {
  it("counts 10,000 orders of one minute from 6 partitions' concurrent invocations exactly, without contending for the minute or a seller", {
    timeout: 600_000,
  }, async () => {
    const env = templateFunction(
      stackTemplate(),
      await createTestStack("orders-hot"),
      "functions/orders/handler.ts",
    ).environment;
    const probe = probedEngineClients();
    const batches: EngineStats[] = [];
    const handler = createKafkaHandler(
      ordersConsumer,
      () => engineOptionsFromEnv(ordersConfig(ordersSettingsFromEnv(env)), env),
      {
        clients: probe.clients,
        logger: new Logger({ serviceName: "orders", logLevel: "SILENT" }),
        onBatch: (stats) => batches.push(stats),
      },
    );
    const partitions = byPartition(orderRecords(hotMinuteOrders()));

    // One chain of invocations per partition, all partitions at once, as the event source mapping runs them.
    // The subject is contention, not the budget: with a 60 s invocation, six concurrent 500-order batches on a
    // busy machine ran out of time and were redelivered, which the counts below would take for contention.
    const invocations = await Promise.all(
      [...partitions.values()].map((records) =>
        deliverPartition(handler, records, BATCH_SIZE, undefined, longestLambdaContext),
      ),
    );

    const [minute] = await readOrdersPerMinute({
      tableName: env.STATE_TABLE_NAME!,
      now: new Date(MINUTE + 59_000),
      minutes: 1,
      partitions: PARTITIONS,
      consistentRead: true,
    });
    expect(minute).toEqual({
      minute: "2026-11-20T23:03:00.000Z",
      placed: 9_000,
      cancelled: 1_000,
      revenue: { EUR: 6_500 * 1999, USD: 2_500 * 2500 },
    });
    const batchesPerPartition = Math.ceil(ORDERS / PARTITIONS / BATCH_SIZE);
    expect(invocations).toEqual(Array(PARTITIONS).fill(batchesPerPartition));
    // The minute: one write per partition's batch, never a lost race.
    expect(probe.writes.get("minute")).toBe(PARTITIONS * batchesPerPartition);
    expect(probe.conflicts.get("minute") ?? 0).toBe(0);
    // Nor a seller: each partition writes its own part of a seller's window, and no seller breaches here.
    expect(batches.reduce((sum, stats) => sum + stats.conflicts, 0)).toBe(0);
    expect(probe.conflicts.size).toBe(0);
    expect(batches.every((stats) => stats.duplicatesSkipped === 0)).toBe(true);
  });
});
