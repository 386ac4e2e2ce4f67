import { DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { readState, readStates, StateReadError } from "../../functions/shared/state-reader";

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const dynamodb = mockClient(client);

describe("state reader", () => {
  beforeEach(() => dynamodb.reset());

  it("reads 250 keys in batches of 100 and retries the keys DynamoDB left unprocessed", async () => {
    const keys = Array.from({ length: 250 }, (_, i) => `K-${i}`);
    let calls = 0;
    dynamodb.on(BatchGetCommand).callsFake((input) => {
      const requested = input.RequestItems.t.Keys as { pk: string }[];
      // The first call leaves its last ten keys unprocessed, as DynamoDB does under throttling.
      const served = calls++ === 0 ? requested.slice(0, -10) : requested;
      return {
        Responses: { t: served.map(({ pk }) => ({ pk, state: { n: Number(pk.slice(2)) } })) },
        UnprocessedKeys: served.length < requested.length ? { t: { Keys: requested.slice(-10) } } : {},
      };
    });

    const states = await readStates<{ n: number }>(client, "t", [...keys, "K-1"]);

    expect(states.size).toBe(250);
    expect(states.get("K-99")).toEqual({ n: 99 });
    expect(
      dynamodb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.t?.Keys?.length),
    ).toEqual([100, 10, 100, 50]);
  });

  it("gives undefined for a key never written", async () => {
    dynamodb.on(GetCommand).resolves({});
    expect(await readState(client, "t", "K-1")).toBeUndefined();
  });

  it("wraps DynamoDB's refusal in a StateReadError with the cause", async () => {
    const refusal = new ResourceNotFoundException({ message: "no table", $metadata: {} });
    dynamodb.on(GetCommand).rejects(refusal);

    const read = readState(client, "t", "K-1");

    await expect(read).rejects.toBeInstanceOf(StateReadError);
    await expect(read).rejects.toMatchObject({ cause: refusal });
  });
});
