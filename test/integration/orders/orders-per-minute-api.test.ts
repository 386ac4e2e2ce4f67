import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { minuteShardKey } from "../../../functions/orders/keys";
import type { MinuteCounts } from "../../../functions/orders/minute-counts";
import { readOrdersPerMinute } from "../../../functions/orders/orders-per-minute";
import { createOrdersPerMinuteApi } from "../../../functions/orders/orders-per-minute-api";
import { templateFunction } from "../../../local/function-env";
import { functionUrlEvent } from "../../support/function-url";
import { createTestStack, stackTemplate } from "../../support/stack";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const NOW = new Date("2026-11-20T23:03:41.000Z");
const at = (minutesAgo: number) => Date.parse("2026-11-20T23:03:00.000Z") - minutesAgo * 60_000;

function shard(minute: number, partition: number, counts: Partial<MinuteCounts>) {
  return {
    pk: minuteShardKey(minute, partition),
    version: 1,
    state: {
      minute: new Date(minute).toISOString(),
      partition,
      placed: 0,
      cancelled: 0,
      revenue: {},
      ...counts,
    },
  };
}

describe("the orders-per-minute read API on the orders state table", () => {
  let tableName: string;
  let apiEnvironment: Readonly<Record<string, string>>;
  let consumerEnvironment: Readonly<Record<string, string>>;

  beforeAll(async () => {
    const stack = await createTestStack("orders-api");
    consumerEnvironment = templateFunction(stackTemplate(), stack, "functions/orders/handler.ts").environment;
    apiEnvironment = templateFunction(
      stackTemplate(),
      stack,
      "functions/orders/orders-per-minute-handler.ts",
    ).environment;
    tableName = apiEnvironment.STATE_TABLE_NAME!;
    const items = [
      shard(at(0), 0, { placed: 3, cancelled: 1, revenue: { EUR: 3000 } }),
      shard(at(0), 2, { placed: 4, revenue: { EUR: 500, USD: 999 } }),
      shard(at(2), 1, { placed: 1, cancelled: 2, revenue: { GBP: 100 } }),
      shard(at(0), 3, { placed: 1000 }), // a partition the config does not know: not summed
      shard(at(3), 0, { placed: 1000 }), // before the minutes asked for
      { pk: "sellerPart#p0#S-1", version: 1, state: { sellerId: "S-1", partition: 0, minutes: [] } },
      { pk: "sellerBreach#S-1", version: 1, state: { sellerId: "S-1", inBreach: true } },
    ];
    await dynamodb.send(
      new BatchWriteCommand({
        RequestItems: { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  });

  it("reads the table the orders consumer writes, for the configured partitions", () => {
    expect(apiEnvironment.STATE_TABLE_NAME).toBe(consumerEnvironment.STATE_TABLE_NAME);
    expect(apiEnvironment.ORDERS_PARTITIONS).toBe("12");
  });

  it("sums every partition's shard of each of the last N minutes, oldest first, zeros where nothing happened", async () => {
    const perMinute = await readOrdersPerMinute({ tableName, now: NOW, minutes: 3, partitions: 3, dynamodb });

    expect(perMinute).toEqual([
      { minute: "2026-11-20T23:01:00.000Z", placed: 1, cancelled: 2, revenue: { GBP: 100 } },
      { minute: "2026-11-20T23:02:00.000Z", placed: 0, cancelled: 0, revenue: {} },
      { minute: "2026-11-20T23:03:00.000Z", placed: 7, cancelled: 1, revenue: { EUR: 3500, USD: 999 } },
    ]);
  });

  it("reads all 2880 minutes of 48 hours across more keys than one BatchGetItem takes", async () => {
    const perMinute = await readOrdersPerMinute({ tableName, now: NOW, minutes: 2880, partitions: 12 });

    expect(perMinute).toHaveLength(2880);
    expect(perMinute[0]?.minute).toBe("2026-11-18T23:04:00.000Z");
    expect(perMinute.at(-1)).toEqual({
      minute: "2026-11-20T23:03:00.000Z",
      placed: 1007,
      cancelled: 1,
      revenue: { EUR: 3500, USD: 999 },
    });
    expect(perMinute.reduce((sum, minute) => sum + minute.placed, 0)).toBe(2008);
  });

  it("answers GET /orders-per-minute?minutes=N with the last N minutes", async () => {
    const api = createOrdersPerMinuteApi({ tableName, partitions: 3, clock: () => NOW });

    const response = await api(functionUrlEvent({ url: "/orders-per-minute?minutes=2" }));

    expect(response).toMatchObject({ statusCode: 200, headers: { "content-type": "application/json" } });
    expect(JSON.parse((response as { body: string }).body)).toEqual({
      asOf: "2026-11-20T23:03:41.000Z",
      minutes: [
        { minute: "2026-11-20T23:02:00.000Z", placed: 0, cancelled: 0, revenue: {} },
        { minute: "2026-11-20T23:03:00.000Z", placed: 7, cancelled: 1, revenue: { EUR: 3500, USD: 999 } },
      ],
    });
  });

  it("defaults to the last 60 minutes", async () => {
    const api = createOrdersPerMinuteApi({ tableName, partitions: 3, clock: () => NOW });

    const response = (await api(functionUrlEvent({ url: "/orders-per-minute" }))) as {
      statusCode: number;
      body: string;
    };

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).minutes).toHaveLength(60);
  });

  it.each(["0", "2881", "-5", "1.5", "ten", ""])("answers 400 for minutes=%j", async (minutes) => {
    const api = createOrdersPerMinuteApi({ tableName, partitions: 3, clock: () => NOW });

    const response = (await api(functionUrlEvent({ url: `/orders-per-minute?minutes=${minutes}` }))) as {
      statusCode: number;
      body: string;
    };

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toMatch(/minutes must be an integer from 1 to 2880/);
  });

  it("answers 404 for another path and 405 for another method", async () => {
    const api = createOrdersPerMinuteApi({ tableName, partitions: 3, clock: () => NOW });

    expect(await api(functionUrlEvent({ url: "/orders" }))).toMatchObject({ statusCode: 404 });
    expect(await api(functionUrlEvent({ url: "/orders-per-minute", method: "POST" }))).toMatchObject({
      statusCode: 405,
      headers: { allow: "GET" },
    });
  });

  it("answers 503 when the table cannot be read", async () => {
    const logger = new Logger({ serviceName: "ordersPerMinuteApi", logLevel: "SILENT" });
    const api = createOrdersPerMinuteApi({
      tableName: "no-such-table",
      partitions: 3,
      clock: () => NOW,
      logger,
    });

    const response = await api(functionUrlEvent({ url: "/orders-per-minute?minutes=5" }));

    expect(response).toMatchObject({ statusCode: 503, headers: { "retry-after": "1" } });
  });
});
