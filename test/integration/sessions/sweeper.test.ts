import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, paginateScan } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { countActiveSessions } from "../../../functions/sessions/active-sessions";
import { sessionsConfigFromEnv } from "../../../functions/sessions/config";
import { sessionsConsumer } from "../../../functions/sessions/consumer";
import { expiryShardOf } from "../../../functions/sessions/expiry-index";
import { type EndedSession, type SessionState, sessionIdOf } from "../../../functions/sessions/session";
import { sweepExpiredSessions } from "../../../functions/sessions/sweep";
import { createKafkaHandler, engineOptionsFromEnv } from "../../../functions/shared/engine/handler";
import { HANDLER_METADATA } from "../../../lib/constructs/kafka-consumer";
import { buildKafkaEvent, type RawKafkaRecord } from "../../../local/kafka-event";
import { resourcesOfType } from "../../../local/template";
import { createTestStack, stackTemplate } from "../../support/stack";

const TOPIC = "theworldshop.clicks";
const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const MINUTE = 60_000;
const GAP = 30 * MINUTE;
const lambdaContext = {
  functionName: "sessions",
  awsRequestId: "sessions-sweeper-test",
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** The environment the template gives the function whose handler source is `entry`, resolved locally. */
function functionEnvironment(resolve: (value: unknown) => unknown, entry: string): Record<string, string> {
  const found = resourcesOfType(stackTemplate(), "AWS::Lambda::Function").find(
    ([, resource]) =>
      (resource.Metadata?.[HANDLER_METADATA] as { entry?: string } | undefined)?.entry === entry,
  );
  if (!found) throw new Error(`no function in the template runs ${entry}`);
  const environment = found[1].Properties?.Environment as { Variables: Record<string, unknown> };
  return resolve(environment.Variables) as Record<string, string>;
}

describe("sessions: the timeout sweeper against DynamoDB Local", () => {
  let env: Record<string, string>;
  let tableName: string;
  let endedSessionsTable: string;
  let handler: ReturnType<typeof createKafkaHandler>;
  let offset = 0;

  /** Applies clicks `[userId, eventTime ms, page?]` through the engine, as one batch on partition 0. */
  async function applyClicks(clicks: readonly [string, number, string?][]): Promise<RawKafkaRecord[]> {
    const records = clicks.map(([userId, at, page = "/home"]) => {
      const record = {
        topic: TOPIC,
        partition: offset % 3,
        offset: offset,
        key: userId,
        timestamp: at,
        value: JSON.stringify({
          eventId: `E-${offset}`,
          userId,
          page,
          eventTime: new Date(at).toISOString(),
        }),
      };
      offset += 1;
      return record;
    });
    const response = await handler(buildKafkaEvent(records), lambdaContext);
    expect(response.batchItemFailures).toEqual([]);
    return records;
  }

  async function stateItem(userId: string) {
    const { Item } = await dynamodb.send(
      new GetCommand({ TableName: tableName, Key: { pk: userId }, ConsistentRead: true }),
    );
    return Item as (Record<string, unknown> & { state: SessionState; version: number }) | undefined;
  }

  async function endedSessions(): Promise<EndedSession[]> {
    const items: EndedSession[] = [];
    for await (const page of paginateScan(
      { client: dynamodb },
      { TableName: endedSessionsTable, ConsistentRead: true },
    ))
      items.push(...((page.Items ?? []) as EndedSession[]));
    return items;
  }

  const sweep = (now: number) => sweepExpiredSessions({ tableName, endedSessionsTable, now });

  beforeAll(async () => {
    const stack = await createTestStack("sessions");
    env = functionEnvironment(stack.resolve, "functions/sessions/handler.ts");
    const sweeperEnv = functionEnvironment(stack.resolve, "functions/sessions/sweeper.ts");
    tableName = sweeperEnv.STATE_TABLE_NAME!;
    endedSessionsTable = sweeperEnv.SIDE_TABLE_ENDEDSESSIONS!;
    expect(env.STATE_TABLE_NAME).toBe(tableName);
    handler = createKafkaHandler(sessionsConsumer, () =>
      engineOptionsFromEnv(sessionsConfigFromEnv(env), env),
    );
  });

  it("ends an idle user's session exactly once, at its last click, however often the sweeper runs", async () => {
    const [first] = await applyClicks([
      ["U-idle", T0, "/home"],
      ["U-idle", T0 + MINUTE, "/products/P-1"],
      ["U-idle", T0 + 2 * MINUTE, "/cart"],
    ]);
    const sessionId = sessionIdOf("U-idle", first!);
    const lastClick = T0 + 2 * MINUTE;

    expect(await sweep(lastClick + GAP - 1)).toEqual({ ended: 0, overtaken: 0 });
    expect(await countActiveSessions({ tableName, now: lastClick + GAP - 1 })).toBe(1);

    expect(await sweep(lastClick + GAP)).toEqual({ ended: 1, overtaken: 0 });
    const again = await sweep(lastClick + GAP + MINUTE);

    expect(again.ended).toBe(0);
    expect((await endedSessions()).filter((s) => s.userId === "U-idle")).toEqual([
      {
        sessionId,
        userId: "U-idle",
        start: "2026-12-01T10:00:00.000Z",
        end: "2026-12-01T10:02:00.000Z",
        clicks: 3,
        pages: ["/home", "/products/P-1", "/cart"],
      },
    ]);
    const item = await stateItem("U-idle");
    expect(item?.state).toEqual({ active: null });
    expect(item).not.toHaveProperty("expiryShard");
    expect(item).not.toHaveProperty("sessionExpiresAt");
    expect(await countActiveSessions({ tableName, now: lastClick + GAP - 1 })).toBe(0);
  });

  it("starts a new session for a click after the sweeper ended the last one", async () => {
    await applyClicks([["U-back", T0]]);
    await sweep(T0 + GAP);
    const [back] = await applyClicks([["U-back", T0 + GAP + 5 * MINUTE, "/cart"]]);

    const item = await stateItem("U-back");
    expect(item?.state.active).toMatchObject({
      sessionId: sessionIdOf("U-back", back!),
      clicks: 1,
      pages: ["/cart"],
    });
    expect(item).toMatchObject({
      expiryShard: expiryShardOf("U-back"),
      sessionExpiresAt: T0 + 2 * GAP + 5 * MINUTE,
    });
    expect((await endedSessions()).filter((s) => s.userId === "U-back")).toHaveLength(1);
  });

  it("loses to a click that extends the session between the sweeper's read and its write", async () => {
    const [first] = await applyClicks([["U-racing", T0]]);
    const sessionId = sessionIdOf("U-racing", first!);
    const raced: string[] = [];

    const result = await sweepExpiredSessions({
      tableName,
      endedSessionsTable,
      now: T0 + GAP,
      beforeEnd: async (expired) => {
        if (expired.userId !== "U-racing") return;
        raced.push(expired.session.sessionId);
        await applyClicks([["U-racing", T0 + 29 * MINUTE, "/checkout"]]);
      },
    });

    expect(raced).toEqual([sessionId]);
    expect(result).toMatchObject({ overtaken: 1 });
    const item = await stateItem("U-racing");
    expect(item?.state.active).toMatchObject({
      sessionId,
      clicks: 2,
      lastClick: "2026-12-01T10:29:00.000Z",
      pages: ["/home", "/checkout"],
    });
    expect(item?.sessionExpiresAt).toBe(T0 + 29 * MINUTE + GAP);
    expect((await endedSessions()).filter((s) => s.userId === "U-racing")).toEqual([]);

    expect(await sweep(T0 + 29 * MINUTE + GAP)).toMatchObject({ ended: 1 });
    expect((await endedSessions()).filter((s) => s.userId === "U-racing")).toEqual([
      expect.objectContaining({ sessionId, clicks: 2, end: "2026-12-01T10:29:00.000Z" }),
    ]);
  });
});

describe("sessions: many users across the expiry shards", () => {
  it("counts 200 active sessions and ends each exactly once", async () => {
    const stack = await createTestStack("sessions-many");
    const env = functionEnvironment(stack.resolve, "functions/sessions/handler.ts");
    const tableName = env.STATE_TABLE_NAME!;
    const endedSessionsTable = env.SIDE_TABLE_ENDEDSESSIONS!;
    const handler = createKafkaHandler(sessionsConsumer, () =>
      engineOptionsFromEnv(sessionsConfigFromEnv(env), env),
    );
    const users = Array.from({ length: 200 }, (_, n) => `U-${String(n).padStart(3, "0")}`);
    // Each user's last click at T0 + n seconds, so the sessions time out one after another.
    const records = users.flatMap((userId, n) =>
      [T0 - MINUTE, T0 + n * 1000].map((at, k) => ({
        topic: TOPIC,
        partition: n % 3,
        offset: 2 * n + k,
        key: userId,
        timestamp: at,
        value: JSON.stringify({
          eventId: `E-${n}-${k}`,
          userId,
          page: "/home",
          eventTime: new Date(at).toISOString(),
        }),
      })),
    );
    expect(new Set(users.map(expiryShardOf)).size).toBe(8);
    const response = await handler(buildKafkaEvent(records), lambdaContext);
    expect(response.batchItemFailures).toEqual([]);

    expect(await countActiveSessions({ tableName, now: T0 })).toBe(200);
    const half = await sweepExpiredSessions({ tableName, endedSessionsTable, now: T0 + GAP + 99_000 });
    expect(half).toEqual({ ended: 100, overtaken: 0 });
    expect(await countActiveSessions({ tableName, now: T0 + GAP + 99_000 })).toBe(100);
    const rest = await sweepExpiredSessions({ tableName, endedSessionsTable, now: T0 + 2 * GAP });
    const none = await sweepExpiredSessions({ tableName, endedSessionsTable, now: T0 + 2 * GAP });

    expect(rest.ended).toBe(100);
    expect(none.ended).toBe(0);
    const ended: EndedSession[] = [];
    for await (const page of paginateScan(
      { client: dynamodb },
      { TableName: endedSessionsTable, ConsistentRead: true },
    ))
      ended.push(...((page.Items ?? []) as EndedSession[]));
    expect(ended.map((s) => s.userId).sort()).toEqual(users);
    expect(ended.every((s) => s.clicks === 2)).toBe(true);
    expect(await countActiveSessions({ tableName, now: T0 })).toBe(0);
  });
});
