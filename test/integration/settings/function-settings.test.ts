import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { sellerBreachKey } from "../../../functions/orders/keys";
import type { RawKafkaRecord } from "../../../local/kafka-event";
import { functionUrlEvent } from "../../support/function-url";
import { orderEvent } from "../../support/orders";
import { type SettingsStack, settingsStack } from "../../support/template-functions";
import { payment } from "../../unit/card-velocity/fold";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ENTRY = {
  cardVelocity: "functions/card-velocity/handler.ts",
  sessions: "functions/sessions/handler.ts",
  inventory: "functions/inventory/handler.ts",
  orders: "functions/orders/handler.ts",
  ordersPerMinute: "functions/orders/orders-per-minute-handler.ts",
} as const;
const MINUTE = 60_000;
const T0 = Date.parse("2026-12-01T12:00:00.000Z");

/** Records of one topic, at offsets 0, 1, … of `partition` (or of the partition each names). */
function records(
  topic: string,
  values: readonly { key: string; value: Record<string, unknown>; partition?: number }[],
): RawKafkaRecord[] {
  return values.map(({ key, value, partition = 0 }, offset) => ({
    topic,
    partition,
    offset,
    key,
    value: JSON.stringify(value),
    timestamp: Date.parse(String(value.eventTime)),
  }));
}

async function scan(tableName: string) {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Items;
}

const env = (stack: SettingsStack, entry: string) => stack.fn(entry).environment;

/** The transactions the card velocity consumer flagged, sorted. */
async function flagged(stack: SettingsStack): Promise<string[]> {
  const decisions = await scan(env(stack, ENTRY.cardVelocity).SIDE_TABLE_DECISIONS!);
  return decisions.map((decision) => String(decision.transactionId)).sort();
}

async function stateOf(stack: SettingsStack, entry: string, pk: string) {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: env(stack, entry).STATE_TABLE_NAME!, Key: { pk }, ConsistentRead: true }),
  );
  return Item?.state as Record<string, unknown> | undefined;
}

const fraudSignals = (seconds: readonly number[]) =>
  records(
    "theworldshop.fraud-signals",
    seconds.map((at, n) => {
      const value = payment(`tx-${n + 1}`, at);
      return { key: value.cardFingerprint, value: { ...value } };
    }),
  );
const click = (minutes: number) => ({
  key: "U-1",
  value: {
    eventId: `click-${minutes}`,
    userId: "U-1",
    page: "/home",
    eventTime: new Date(T0 + minutes * MINUTE).toISOString(),
  },
});
const stock = (productId: string, quantity: number) =>
  records("theworldshop.inventory", [
    {
      key: productId,
      value: { eventId: `stock-${productId}`, productId, quantity, eventTime: new Date(T0).toISOString() },
    },
  ]);
/** `placed` orders and then `cancelled` of them, by seller S-1, at `minute` (or the minute each names). */
function orders(...groups: { placed?: number; cancelled?: number; minute: number; from?: number }[]) {
  const values = groups.flatMap(({ placed = 0, cancelled = 0, minute, from = 0 }) => {
    const eventTime = new Date(T0 + minute * MINUTE + 1_000).toISOString();
    return [
      ...Array.from({ length: placed }, (_, n) => orderEvent({ orderId: `O-${from + n}`, eventTime })),
      ...Array.from({ length: cancelled }, (_, n) =>
        orderEvent({ orderId: `O-${from + n}`, type: "ORDER_CANCELLED", eventTime }),
      ),
    ];
  });
  return records(
    "theworldshop.orders",
    values.map((value) => ({ key: value.orderId, value: { ...value } })),
  );
}
const sellerInBreach = async (stack: SettingsStack) =>
  // A seller never in breach has no breach item.
  (await stateOf(stack, ENTRY.orders, sellerBreachKey("S-1")))?.inBreach ?? false;

/** The orders per minute the API answers for the last 5 minutes, summed. */
async function placedPerApi(stack: SettingsStack): Promise<number> {
  const outcome = await stack
    .fn(ENTRY.ordersPerMinute)
    .invoke(functionUrlEvent({ url: "/orders-per-minute?minutes=5" }));
  if (outcome.status !== "ok") throw outcome.error;
  const body = JSON.parse((outcome.result as { body: string }).body) as { minutes: { placed: number }[] };
  return body.minutes.reduce((sum, minute) => sum + minute.placed, 0);
}

interface SettingCase {
  /** The `theworldshop:*` context that sets one value off its default. */
  readonly context: Record<string, unknown>;
  /** Drives the stack's functions and returns what the setting changes. */
  readonly run: (stack: SettingsStack) => Promise<unknown>;
  readonly withDefault: unknown;
  readonly withSetting: unknown;
}

const now = Date.now();
const CASES: Record<string, SettingCase> = {
  "cardVelocity.maxTransactions 3 flags a card at its 4th transaction": {
    context: { "theworldshop:cardVelocity": { maxTransactions: 3 } },
    run: async (stack) => {
      await stack.deliver(ENTRY.cardVelocity, fraudSignals([0, 1, 2, 3]));
      return flagged(stack);
    },
    withDefault: [],
    withSetting: ["tx-4"],
  },
  "cardVelocity.windowSeconds 10 leaves six transactions 5 s apart unflagged": {
    context: { "theworldshop:cardVelocity": { windowSeconds: 10 } },
    run: async (stack) => {
      await stack.deliver(ENTRY.cardVelocity, fraudSignals([0, 5, 10, 15, 20, 25]));
      return flagged(stack);
    },
    withDefault: ["tx-6"],
    withSetting: [],
  },
  "sessions.gapMinutes 10 ends a session at a click 10 minutes after the last": {
    context: { "theworldshop:sessions": { gapMinutes: 10 } },
    run: async (stack) => {
      await stack.deliver(ENTRY.sessions, records("theworldshop.clicks", [click(0), click(10)]));
      const ended = await scan(env(stack, ENTRY.sessions).SIDE_TABLE_ENDEDSESSIONS!);
      return ended.map(({ userId, start, end, clicks }) => ({ userId, start, end, clicks }));
    },
    withDefault: [],
    withSetting: [
      { userId: "U-1", start: new Date(T0).toISOString(), end: new Date(T0).toISOString(), clicks: 1 },
    ],
  },
  "inventory.lowStockThreshold 25 makes 20 units low stock": {
    context: { "theworldshop:inventory": { lowStockThreshold: 25 } },
    run: async (stack) => {
      await stack.deliver(ENTRY.inventory, stock("P-1", 20));
      return (await stateOf(stack, ENTRY.inventory, "P-1"))?.status;
    },
    withDefault: "IN_STOCK",
    withSetting: "LOW_STOCK",
  },
  "inventory.lowStockThresholds makes 20 units of that product low stock": {
    context: { "theworldshop:inventory": { lowStockThresholds: { "P-1": 25 } } },
    run: async (stack) => {
      await stack.deliver(ENTRY.inventory, stock("P-1", 20));
      return (await stateOf(stack, ENTRY.inventory, "P-1"))?.status;
    },
    withDefault: "IN_STOCK",
    withSetting: "LOW_STOCK",
  },
  "orders.minimumPlaced 4 puts a seller with 2 of 4 orders cancelled in breach": {
    context: { "theworldshop:orders": { minimumPlaced: 4 } },
    run: async (stack) => {
      await stack.deliver(ENTRY.orders, orders({ placed: 4, cancelled: 2, minute: 0 }));
      return sellerInBreach(stack);
    },
    withDefault: false,
    withSetting: true,
  },
  "orders.cancellationRate 0.5 keeps a seller with 3 of 10 orders cancelled out of breach": {
    context: { "theworldshop:orders": { cancellationRate: 0.5 } },
    run: async (stack) => {
      await stack.deliver(ENTRY.orders, orders({ placed: 10, cancelled: 3, minute: 0 }));
      return sellerInBreach(stack);
    },
    withDefault: true,
    withSetting: false,
  },
  "orders.lateMinutes 2 leaves cancellations 3 minutes late unevaluated": {
    context: { "theworldshop:orders": { lateMinutes: 2 } },
    run: async (stack) => {
      await stack.deliver(
        ENTRY.orders,
        orders({ placed: 10, minute: 0 }, { placed: 1, minute: 3, from: 100 }, { cancelled: 3, minute: 0 }),
      );
      return sellerInBreach(stack);
    },
    withDefault: true,
    withSetting: false,
  },
  "orders.partitions 14 makes the orders-per-minute API count partition 13": {
    context: { "theworldshop:orders": { partitions: 14 } },
    run: async (stack) => {
      const eventTime = new Date(now - 30_000).toISOString();
      const [first, second] = [
        orderEvent({ orderId: "O-a", eventTime }),
        orderEvent({ orderId: "O-b", eventTime }),
      ];
      await stack.deliver(
        ENTRY.orders,
        records("theworldshop.orders", [
          { key: first.orderId, value: { ...first }, partition: 0 },
          { key: second.orderId, value: { ...second }, partition: 13 },
        ]).map((record) => ({ ...record, offset: 0 })),
      );
      return placedPerApi(stack);
    },
    withDefault: 1,
    withSetting: 2,
  },
};

describe("every theworldshop:* setting a function reads reaches it through the synthesized environment", () => {
  it.each(Object.entries(CASES))("%s", async (name, { context, run, withDefault, withSetting }) => {
    const slug = name.split(" ")[0]!.replace(/\W+/g, "-").toLowerCase();
    const defaults = await settingsStack(`default-${slug}`, {});
    const tuned = await settingsStack(`tuned-${slug}`, context);

    expect(await run(defaults)).toEqual(withDefault);
    expect(await run(tuned)).toEqual(withSetting);
  });

  it("fails a consumer's cold start naming the variable the stack did not set", async () => {
    const stack = await settingsStack("missing-setting", {}, { CARD_VELOCITY_MAX_TRANSACTIONS: "" });

    const outcome = await stack.fn(ENTRY.cardVelocity).invoke({ eventSource: "aws:kafka", records: {} });

    expect(outcome).toMatchObject({
      status: "error",
      error: {
        name: "FunctionEnvironmentError",
        message: expect.stringContaining("CARD_VELOCITY_MAX_TRANSACTIONS is not set"),
      },
    });
  });
});
