import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDashboardApi } from "../../../functions/dashboard-api/api";
import type { Dashboard, DashboardTables } from "../../../functions/dashboard-api/dashboard";
import { dashboardTablesFromEnv } from "../../../functions/dashboard-api/settings";
import { type AlertLogFeed, startAlertLogFeed } from "../../../local/alert-log-feed";
import { DASHBOARD_API_ENTRY } from "../../../local/dashboard-server";
import { templateFunction } from "../../../local/function-env";
import type { LocalStackResources } from "../../../local/resources";
import { functionUrlEvent } from "../../support/function-url";
import { createTestStack, stackTemplate } from "../../support/stack";
import { StackConsumers, type TopicRecord } from "../../support/stack-handlers";

// Panel errors are logged; the test that causes one reads the response instead.
const quietLogger = new Logger({ logLevel: "SILENT" });
const NOW = Date.parse("2026-12-01T12:30:20.000Z");
const MINUTE = 60_000;
const iso = (at: number) => new Date(at).toISOString();
let eventId = 0;

const order = (
  type: "ORDER_PLACED" | "ORDER_CANCELLED",
  orderId: string,
  at: number,
  value: number,
  currency = "EUR",
): TopicRecord => ({
  topic: "theworldshop.orders",
  key: orderId,
  timestamp: at,
  value: {
    eventId: `E-${++eventId}`,
    type,
    orderId,
    sellerId: "S-01",
    customerId: "U-1",
    amount: { value, currency },
    eventTime: iso(at),
  },
});
const stock = (productId: string, quantity: number, at: number, productName?: string): TopicRecord => ({
  topic: "theworldshop.inventory",
  key: productId,
  timestamp: at,
  value: {
    eventId: `E-${++eventId}`,
    productId,
    quantity,
    eventTime: iso(at),
    ...(productName ? { productName } : {}),
  },
});
const payment = (card: string, transactionId: string, at: number): TopicRecord => ({
  topic: "theworldshop.fraud-signals",
  key: card,
  timestamp: at,
  value: {
    eventId: `E-${++eventId}`,
    transactionId,
    orderId: `O-${transactionId}`,
    cardFingerprint: card,
    amount: { value: 999, currency: "EUR" },
    eventTime: iso(at),
  },
});
const click = (userId: string, at: number): TopicRecord => ({
  topic: "theworldshop.clicks",
  key: userId,
  timestamp: at,
  value: { eventId: `E-${++eventId}`, userId, page: "/home", eventTime: iso(at) },
});

/** A card used for `count` payments 5 s apart from `at`: the 6th and later are flagged. */
const cardBurst = (card: string, prefix: string, at: number, count: number) =>
  Array.from({ length: count }, (_, n) => payment(card, `${prefix}-${n + 1}`, at + n * 5_000));

describe("the dashboard API against the stack's tables on DynamoDB Local", () => {
  let local: LocalStackResources;
  let tables: DashboardTables;
  let feed: AlertLogFeed;
  const commands: string[] = [];

  /** The DynamoDB operations the API sends, to show it never scans. */
  const recordingClient = () => {
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: "initialize", name: "recordCommands" },
    );
    return client;
  };

  async function getDashboard(tablesOverride: Partial<DashboardTables> = {}): Promise<Dashboard> {
    const api = createDashboardApi({
      tables: { ...tables, ...tablesOverride },
      clock: () => NOW,
      dynamodb: recordingClient(),
      logger: quietLogger,
    });
    const response = await api(functionUrlEvent({ url: "/api/dashboard" }));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      "content-type": "application/json",
      "cache-control": "no-store",
    });
    return JSON.parse(String(response.body)) as Dashboard;
  }

  beforeAll(async () => {
    local = await createTestStack("dashboard-api");
    tables = dashboardTablesFromEnv(
      templateFunction(stackTemplate(), local, DASHBOARD_API_ENTRY).environment,
    );
    feed = await startAlertLogFeed({
      template: stackTemplate(),
      resources: local,
      endpoints: inject("endpoints"),
    });
    const consumers = new StackConsumers(local);
    await consumers.deliver([
      // Orders: 3 minutes ago, this minute, and 61 minutes ago (outside the hour shown).
      order("ORDER_PLACED", "O-1", NOW - 3 * MINUTE, 1_000),
      order("ORDER_PLACED", "O-2", NOW - 3 * MINUTE + 5_000, 2_500, "USD"),
      order("ORDER_PLACED", "O-3", NOW - 5_000, 4_000),
      order("ORDER_CANCELLED", "O-1", NOW - 4_000, 1_000),
      order("ORDER_PLACED", "O-0", NOW - 61 * MINUTE, 7_000),
      // Stock: P-1 sells out, P-2 runs low, P-3 is plenty, P-4 runs low then is restocked,
      // P-5 runs low and then an old snapshot is re-sent (stale: still low).
      stock("P-1", 12, NOW - 20 * MINUTE, "Blue mug"),
      stock("P-1", 0, NOW - 2 * MINUTE),
      stock("P-2", 4, NOW - 10 * MINUTE, "Linen tote"),
      stock("P-3", 50, NOW - 10 * MINUTE),
      stock("P-4", 3, NOW - 9 * MINUTE),
      stock("P-4", 80, NOW - 8 * MINUTE),
      stock("P-5", 2, NOW - 5 * MINUTE, "Desk lamp"),
      stock("P-5", 90, NOW - 30 * MINUTE),
      // Fraud: card A flagged twice 10 minutes ago; card B flagged two hours ago (not in the last hour).
      ...cardBurst("card-aaaaaaaa", "TA", NOW - 10 * MINUTE, 7),
      ...cardBurst("card-bbbbbbbb", "TB", NOW - 120 * MINUTE, 7),
      // Sessions: two users active now, one whose session timed out 10 minutes ago.
      click("U-1", NOW - 5 * MINUTE),
      click("U-2", NOW - 29 * MINUTE),
      click("U-3", NOW - 40 * MINUTE),
    ]);
    await feed.drained();
  });
  afterAll(() => feed.stop());

  it("returns orders per minute for the last 60 minutes, oldest first, with placed, cancelled and revenue", async () => {
    const { ordersPerMinute } = await getDashboard();
    expect(ordersPerMinute.status).toBe("ok");
    const minutes = ordersPerMinute.status === "ok" ? ordersPerMinute.data : [];
    expect(minutes).toHaveLength(60);
    expect(minutes.at(-1)).toEqual({
      minute: "2026-12-01T12:30:00.000Z",
      placed: 1,
      cancelled: 1,
      revenue: { EUR: 4_000 },
    });
    expect(minutes.find((m) => m.minute === "2026-12-01T12:27:00.000Z")).toEqual({
      minute: "2026-12-01T12:27:00.000Z",
      placed: 2,
      cancelled: 0,
      revenue: { EUR: 1_000, USD: 2_500 },
    });
    expect(minutes[0]!.minute).toBe("2026-12-01T11:31:00.000Z");
    expect(minutes.reduce((sum, m) => sum + m.placed, 0)).toBe(3);
  });

  it("lists the products out of stock, then those low on stock, newest report first", async () => {
    const { stock: panel } = await getDashboard();
    expect(panel).toEqual({
      status: "ok",
      data: {
        outOfStock: 1,
        lowStock: 2,
        products: [
          {
            productId: "P-1",
            productName: "Blue mug",
            status: "OUT_OF_STOCK",
            quantity: 0,
            asOf: iso(NOW - 2 * MINUTE),
          },
          {
            productId: "P-5",
            productName: "Desk lamp",
            status: "LOW_STOCK",
            quantity: 2,
            asOf: iso(NOW - 5 * MINUTE),
          },
          {
            productId: "P-2",
            productName: "Linen tote",
            status: "LOW_STOCK",
            quantity: 4,
            asOf: iso(NOW - 10 * MINUTE),
          },
        ],
      },
    });
  });

  it("counts the transactions flagged in the last hour, newest first", async () => {
    const { fraud } = await getDashboard();
    expect(fraud).toEqual({
      status: "ok",
      data: {
        total: 2,
        transactions: [
          {
            transactionId: "TA-7",
            cardFingerprint: "card-aaaaaaaa",
            count: 7,
            eventTime: iso(NOW - 10 * MINUTE + 30_000),
          },
          {
            transactionId: "TA-6",
            cardFingerprint: "card-aaaaaaaa",
            count: 6,
            eventTime: iso(NOW - 10 * MINUTE + 25_000),
          },
        ],
      },
    });
  });

  it("counts the users with an active session now", async () => {
    const { sessions } = await getDashboard();
    expect(sessions).toEqual({ status: "ok", data: { active: 2 } });
  });

  it("shows the alerts the consumers published, newest first, without their details", async () => {
    const { alerts } = await getDashboard();
    expect(alerts.status).toBe("ok");
    const feedAlerts = alerts.status === "ok" ? alerts.data : [];
    expect(feedAlerts.map((alert) => [alert.alertType, alert.subjectId])).toEqual([
      ["OUT_OF_STOCK", "P-1"],
      ["LOW_STOCK", "P-5"],
      ["BACK_IN_STOCK", "P-4"],
      ["LOW_STOCK", "P-4"],
      ["CARD_VELOCITY", "card-aaaaaaaa"],
      ["LOW_STOCK", "P-2"],
      ["CARD_VELOCITY", "card-bbbbbbbb"],
    ]);
    expect(feedAlerts.every((alert) => !("details" in alert))).toBe(true);
  });

  it("reads every panel with keyed reads and index queries only, never a scan", async () => {
    commands.length = 0;
    await getDashboard();
    expect(new Set(commands)).toEqual(new Set(["BatchGetItemCommand", "QueryCommand"]));
  });

  it("still answers when one source fails, saying which panel could not be read", async () => {
    const dashboard = await getDashboard({ decisions: `${tables.decisions}-missing` });
    expect(dashboard.fraud).toEqual({ status: "error", message: "could not read flagged transactions" });
    expect(dashboard.sessions.status).toBe("ok");
    expect(dashboard.stock.status).toBe("ok");
  });

  it("answers 404 off its route and 405 to anything but GET", async () => {
    const api = createDashboardApi({ tables, clock: () => NOW });
    expect((await api(functionUrlEvent({ url: "/api/other" }))).statusCode).toBe(404);
    expect(
      (await api(functionUrlEvent({ url: "/api/dashboard", method: "POST", json: {} }))).statusCode,
    ).toBe(405);
  });
});
