import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { templateKafkaMappings } from "../../local/event-source/mappings";
import { parseFaults } from "../../local/faults";
import { parseReplayInput } from "../../local/replay/input";
import { type ReplayResult, runReplay } from "../../local/replay/replay";
import { localStreamingConfig } from "../../local/template";
import { stackTemplate } from "../support/stack";

const records = parseReplayInput(
  readFileSync(join(import.meta.dirname, "..", "events", "replay-scenario.jsonl"), "utf8"),
);
const topics = localStreamingConfig().topics;

/** Whether the stack has a consumer of `topic` (consumers land one by one; the test runs on what is there). */
function consumes(topic: string): boolean {
  return templateKafkaMappings(stackTemplate(), (value) => value).some((mapping) =>
    mapping.topics.includes(topic),
  );
}

function replay(batchSize: number, faults = "") {
  return runReplay({
    records,
    batchSize,
    partitions: 3,
    faults: parseFaults(faults),
    seed: 7,
    embedded: true,
    endpoints: inject("endpoints"),
    template: stackTemplate(),
  });
}

const outcome = ({ stats: _stats, ...rest }: ReplayResult) => rest;

describe("a replay of the scenario", () => {
  let baseline: ReplayResult;
  beforeAll(async () => {
    baseline = await replay(1000);
  }, 120_000);

  it("gives the shop's state, alerts and rejected records of the scenario", () => {
    expect(baseline.stats.records).toBe(records.length);
    expect(baseline.sessions).toEqual(
      consumes(topics.clicks)
        ? {
            ended: [
              {
                userId: "U-1",
                start: "2026-11-20T23:00:00.000Z",
                end: "2026-11-20T23:10:00.000Z",
                clicks: 3,
              },
              {
                userId: "U-2",
                start: "2026-11-20T23:01:00.000Z",
                end: "2026-11-20T23:01:00.000Z",
                clicks: 1,
              },
            ],
            active: 2,
          }
        : { ended: [], active: 0 },
    );
    if (consumes(topics.inventory)) {
      expect(baseline.inventory).toEqual({
        "P-BLUE-MUG": { quantity: 25, status: "IN_STOCK", asOf: "2026-11-20T23:20:00.000Z" },
        "P-TEE": { quantity: 3, status: "LOW_STOCK", asOf: "2026-11-20T23:01:00.000Z" },
      });
      expect(baseline.rejected).toEqual([expect.objectContaining({ topic: topics.inventory })]);
      expect(
        baseline.alerts
          .filter((alert) => alert.subjectId === "P-BLUE-MUG")
          .map((a) => a.alertType)
          .sort(),
      ).toEqual(["BACK_IN_STOCK", "LOW_STOCK", "OUT_OF_STOCK"]);
    } else {
      expect(baseline.inventory).toEqual({});
    }
    if (consumes(topics.fraudSignals)) expect(baseline.fraudFlags).toEqual(["T-5", "T-6"]);
    else expect(baseline.fraudFlags).toEqual([]);
    if (consumes(topics.orders)) {
      expect(baseline.ordersPerMinute["2026-11-20T23:04:00.000Z"]).toEqual({ placed: 4, cancelled: 0 });
      expect(baseline.ordersPerMinute["2026-11-20T23:06:00.000Z"]).toEqual({ placed: 0, cancelled: 3 });
      expect(baseline.alerts.filter((alert) => alert.alertType === "SELLER_CANCELLATION_RATE")).toHaveLength(
        1,
      );
    } else {
      expect(baseline.ordersPerMinute).toEqual({});
    }
  });

  it("gives up no batch when every batch took effect", () => {
    expect(baseline.failedBatches).toEqual([]);
  });

  it("gives a batch up after --max-retries and lists it in failedBatches, so that the replay ends", {
    timeout: 120_000,
  }, async () => {
    // The inventory consumer pointed at the decisions table (keyed by transactionId, not pk): every read fails.
    const template = structuredClone(stackTemplate());
    const [inventoryId] = Object.entries(template.Resources).find(
      ([, resource]) =>
        resource.Type === "AWS::Lambda::Function" &&
        JSON.stringify(resource.Metadata ?? {}).includes("functions/inventory/handler.ts"),
    )!;
    const variables = (
      template.Resources[inventoryId]!.Properties as { Environment: { Variables: Record<string, unknown> } }
    ).Environment.Variables;
    variables.STATE_TABLE_NAME = (
      Object.values(template.Resources).find(
        (resource) =>
          resource.Type === "AWS::Lambda::Function" &&
          JSON.stringify(resource).includes("SIDE_TABLE_DECISIONS"),
      )!.Properties as { Environment: { Variables: Record<string, unknown> } }
    ).Environment.Variables.SIDE_TABLE_DECISIONS;
    const inventoryRecords = records.filter((record) => record.topic === topics.inventory);

    const result = await runReplay({
      records: inventoryRecords,
      batchSize: 1000,
      partitions: 3,
      seed: 7,
      embedded: true,
      endpoints: inject("endpoints"),
      template,
      maxRetries: 2,
    });

    expect(result.failedBatches.length).toBeGreaterThan(0);
    for (const batch of result.failedBatches) {
      expect(batch).toMatchObject({
        topic: topics.inventory,
        // DynamoDB's refusal of a key the table does not have, as DynamoDB Local and moto word it.
        reason: expect.stringMatching(/required keys|Validation Exception/),
      });
      expect(batch.lastOffset).toBeGreaterThanOrEqual(batch.firstOffset);
    }
    const givenUp = result.failedBatches.reduce((sum, b) => sum + b.lastOffset - b.firstOffset + 1, 0);
    expect(givenUp).toBe(inventoryRecords.length - result.rejected.length);
    expect(result.alerts.filter((alert) => alert.alertType.includes("STOCK"))).toEqual([]);
  });

  it.each([1, 7, 100])("gives the same result in batches of %i", { timeout: 120_000 }, async (batchSize) => {
    const result = await replay(batchSize);

    expect(outcome(result)).toEqual(outcome(baseline));
  });

  it("gives the same result with redeliveries, crashes, throttling and SNS failures", {
    timeout: 180_000,
  }, async () => {
    const result = await replay(7, "redeliver=0.2,crash=0.1,throttle=0.1,snsfail=0.05");

    expect(outcome(result)).toEqual(outcome(baseline));
    expect(result.stats.redeliveries).toBeGreaterThan(0);
    expect(result.stats.crashes).toBeGreaterThan(0);
  });
});
