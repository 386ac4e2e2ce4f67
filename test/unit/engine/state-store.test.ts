import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createEngineClients, emptyStats } from "../../../functions/shared/engine/clients";
import { readItems, type StoreContext } from "../../../functions/shared/engine/state-store";

describe("reading a batch's keys", () => {
  it("reads 100 keys per BatchGetItem, strongly consistent, and follows unprocessed keys until all are read", async () => {
    const clients = createEngineClients();
    const dynamodb = mockClient(clients.dynamodb);
    const keys = Array.from({ length: 130 }, (_, i) => `K${i}`);
    dynamodb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { state: keys.slice(0, 60).map((pk) => ({ pk, version: 1 })) },
        UnprocessedKeys: { state: { Keys: keys.slice(60, 100).map((pk) => ({ pk })) } },
      })
      .resolvesOnce({ Responses: { state: keys.slice(60, 100).map((pk) => ({ pk, version: 1 })) } })
      .resolvesOnce({ Responses: { state: keys.slice(100, 120).map((pk) => ({ pk, version: 2 })) } });
    const ctx: StoreContext = {
      clients,
      tableName: "state",
      sideTables: {},
      budget: { deadline: Date.now() + 10_000 },
      stats: emptyStats(),
    };

    const items = await readItems(ctx, keys);

    expect([...items.keys()]).toEqual(keys.slice(0, 120));
    const requests = dynamodb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.state!);
    expect(requests.map((r) => [r.Keys!.length, r.ConsistentRead])).toEqual([
      [100, true],
      [40, true],
      [30, true],
    ]);
    expect(ctx.stats.reads).toBe(3);
  });
});
