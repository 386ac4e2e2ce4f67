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
    // Answers what is asked: the first call of 100 keys leaves its last 40 unprocessed; keys past K119 have no item.
    let leftUnprocessed = false;
    dynamodb.on(BatchGetCommand).callsFake((input) => {
      const asked = input.RequestItems.state.Keys.map((key: { pk: string }) => key.pk) as string[];
      const unprocessed = !leftUnprocessed && asked.length === 100 ? asked.slice(60) : [];
      leftUnprocessed ||= unprocessed.length > 0;
      const found = asked.filter((pk) => !unprocessed.includes(pk) && Number(pk.slice(1)) < 120);
      return {
        Responses: { state: found.map((pk) => ({ pk, version: 1 })) },
        ...(unprocessed.length > 0 && {
          UnprocessedKeys: { state: { Keys: unprocessed.map((pk) => ({ pk })) } },
        }),
      };
    });
    const ctx: StoreContext = {
      clients,
      tableName: "state",
      sideTables: {},
      budget: { deadline: Date.now() + 10_000 },
      stats: emptyStats(),
    };

    const items = await readItems(ctx, keys);

    expect([...items.keys()].sort()).toEqual(keys.slice(0, 120).sort());
    const requests = dynamodb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.state!);
    // The two chunks go out at once; the unprocessed 40 follow.
    expect(requests.map((r) => [r.Keys!.length, r.ConsistentRead])).toEqual([
      [100, true],
      [30, true],
      [40, true],
    ]);
    expect(ctx.stats.reads).toBe(3);
  });
});
