import { BatchGetCommand, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { AWS_LATENCY, addLatency, latencySampler } from "../../../bench/aws-latency";
import { createEngineClients } from "../../../functions/shared/engine/clients";
import { SeededRandom } from "../../../local/random";

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

describe("B6's simulated AWS latency", () => {
  it.each(Object.entries(AWS_LATENCY))(
    "draws %s latencies with the configured median and p99",
    (_, wanted) => {
      const draw = latencySampler(wanted, new SeededRandom("latency-test"));
      const draws = Array.from({ length: 100_000 }, draw).sort((a, b) => a - b);
      expect(quantile(draws, 0.5)).toBeCloseTo(wanted.medianMs, 0);
      expect(Math.abs(quantile(draws, 0.99) / wanted.p99Ms - 1)).toBeLessThan(0.05);
      expect(draws[0]).toBeGreaterThan(0);
    },
  );

  it("waits alike in two runs with the same seed", () => {
    const first = latencySampler(AWS_LATENCY.dynamodb, new SeededRandom("b6", "orders", 6));
    const second = latencySampler(AWS_LATENCY.dynamodb, new SeededRandom("b6", "orders", 6));
    expect(Array.from({ length: 5 }, first)).toEqual(Array.from({ length: 5 }, second));
  });
});

describe("B6's latency per call", () => {
  it("draws once for a PutItem, once per key for a BatchGetItem, twice per item for a TransactWriteItems", async () => {
    const { dynamodb } = createEngineClients({
      dynamodb: { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } },
    });
    let draws = 0;
    addLatency(
      dynamodb,
      () => {
        draws++;
        return 0;
      },
      "Test",
    );
    // No DynamoDB here: the call ends after the latency middleware, which is what is measured.
    dynamodb.middlewareStack.add(() => async () => ({ output: { $metadata: {} } as never, response: {} }), {
      step: "initialize",
      priority: "low",
      name: "noService",
    });
    const drawsFor = async (call: () => Promise<unknown>) => {
      draws = 0;
      await call();
      return draws;
    };

    expect(await drawsFor(() => dynamodb.send(new PutCommand({ TableName: "t", Item: { pk: "a" } })))).toBe(
      1,
    );
    const keys = ["a", "b", "c", "d", "e"].map((pk) => ({ pk }));
    expect(
      await drawsFor(() => dynamodb.send(new BatchGetCommand({ RequestItems: { t: { Keys: keys } } }))),
    ).toBe(5);
    const puts = ["a", "b", "c"].map((pk) => ({ Put: { TableName: "t", Item: { pk } } }));
    expect(await drawsFor(() => dynamodb.send(new TransactWriteCommand({ TransactItems: puts })))).toBe(6);
  });
});
