import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createKafkaHandler } from "../../functions/shared/engine/handler";
import type { Consumer } from "../../functions/shared/engine/types";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { drainQueue, subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { referenceFold } from "../support/reference-fold";
import { type TallyConfig, type TallyState, type TallyValue, tallyConsumer } from "../support/tally-consumer";
import { invocation, TALLY_CONFIG, tallyHandler, tallyRecord } from "../support/tally-engine";

const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const topic = "theworldshop.tally";

const record = (partition: number, offset: number, account: string, amount: number): RawKafkaRecord => ({
  topic,
  partition,
  offset,
  key: account,
  value: JSON.stringify({ eventId: `e-${partition}-${offset}`, account, amount }),
  timestamp: Date.UTC(2026, 10, 20, 23, 0, offset),
});

async function tableItems(table: string) {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items.map(({ outboxSince: _since, ...item }) => item).sort((a, b) =>
    String(a.pk).localeCompare(String(b.pk)),
  );
}

describe("the exactly-once engine under redelivery", () => {
  let stack: EngineTestStack;
  let handler: ReturnType<typeof createKafkaHandler>;

  beforeEach(async () => {
    stack = await createEngineTestStack();
    handler = createKafkaHandler(tallyConsumer, () => ({
      config: { step: 10 },
      tableName: stack.stateTable,
      sideTables: { milestones: stack.milestonesTable },
      alertTopicArn: stack.alertTopicArn,
      rejectedQueueUrl: stack.rejectedQueueUrl,
    }));
  });

  it("applies a batch delivered twice exactly once: same state, same side records, each alert published once", async () => {
    const inbox = await subscribeInbox(stack.alertTopicArn);
    const records = [
      record(0, 0, "A", 4),
      record(0, 1, "B", 12),
      record(0, 2, "A", 7),
      record(1, 0, "C", 3),
      record(1, 1, "A", 9),
    ];

    const first = await handler(buildKafkaEvent(records), context);
    const afterOnce = await tableItems(stack.stateTable);
    await handler(buildKafkaEvent(records), context);

    expect(first).toEqual({ batchItemFailures: [] });
    const state = await tableItems(stack.stateTable);
    expect(state).toEqual(afterOnce);
    expect(state.map((item) => [item.pk, (item.state as { total: number }).total])).toEqual([
      ["A", 20],
      ["B", 12],
      ["C", 3],
    ]);
    expect(state.find((item) => item.pk === "A")).toMatchObject({
      "f:theworldshop.tally:0": 2,
      "f:theworldshop.tally:1": 1,
    });
    expect(state.every((item) => item.outbox === undefined)).toBe(true);
    expect((await tableItems(stack.milestonesTable)).map((item) => item.pk)).toEqual(["A#1", "A#2", "B#1"]);
    const alerts = await inbox.drain<{ alertId: string }>();
    expect(alerts.map((alert) => alert.alertId).sort()).toEqual([
      "tally:theworldshop.tally:0:1",
      "tally:theworldshop.tally:0:2",
      "tally:theworldshop.tally:1:1",
    ]);
  });

  it("sends poison records to the rejected queue with their coordinates and applies the good ones around them", async () => {
    const records: RawKafkaRecord[] = [
      record(0, 0, "A", 4),
      { topic, partition: 0, offset: 1, key: "A", value: "{not json" },
      { topic, partition: 0, offset: 2, key: "A", value: null },
      {
        topic,
        partition: 0,
        offset: 3,
        key: "A",
        value: JSON.stringify({ eventId: "x", account: "A", amount: "ten" }),
      },
      record(0, 4, "A", 5),
    ];

    const response = await handler(buildKafkaEvent(records), context);

    expect(response).toEqual({ batchItemFailures: [] });
    const [item] = await tableItems(stack.stateTable);
    expect(item).toMatchObject({
      pk: "A",
      state: { total: 9, events: ["e-0-0", "e-0-4"] },
      "f:theworldshop.tally:0": 4,
    });
    const rejected = await drainQueue<Record<string, unknown>>(stack.rejectedQueueUrl);
    expect(rejected.map(({ topic, partition, offset }) => ({ topic, partition, offset }))).toEqual([
      { topic, partition: 0, offset: 1 },
      { topic, partition: 0, offset: 2 },
      { topic, partition: 0, offset: 3 },
    ]);
    expect(rejected[0]).toMatchObject({
      format: 2,
      consumer: "tally",
      reason: expect.stringMatching(/^bad JSON/),
      value: { encoding: "utf8", data: "{not json", bytes: 9, truncated: false },
      masked: false,
    });
    expect(rejected[1]).toMatchObject({ reason: expect.stringMatching(/null value/), value: null });
    expect(rejected[2]).toMatchObject({ reason: expect.stringMatching(/^schema: amount/) });
  });

  it("gives the same state, side records and alerts when retries come with larger, smaller and overlapping boundaries", async () => {
    const retried = "theworldshop.tally.reshaped";
    const inbox = await subscribeInbox(stack.alertTopicArn);
    const amounts = [4, 7, 9, 2, 8, 6, 3, 9, 5, 7, 8, 1, 6, 9, 4, 8];
    const records = amounts.map((amount, i) =>
      tallyRecord(
        retried,
        i % 2,
        Math.floor(i / 2),
        i % 2 === 0 ? ["rb-A", "rb-B"][i % 4 === 0 ? 0 : 1]! : "rb-C",
        amount,
      ),
    );
    const range = (partition: number, from: number, to: number) =>
      records.filter((r) => r.partition === partition && r.offset >= from && r.offset <= to);
    const deliveries = [
      [...range(0, 0, 2), ...range(1, 0, 1)],
      // larger: from the start again, past the first delivery's end
      [...range(0, 0, 5), ...range(1, 0, 4)],
      // smaller: a slice inside what is applied already
      range(0, 3, 4),
      // overlapping: partly applied, partly new, to the end
      [...range(0, 4, 7), ...range(1, 3, 7)],
    ];
    const handle = tallyHandler(stack);

    const responses = [];
    for (const delivery of deliveries) responses.push(await handle(buildKafkaEvent(delivery), invocation));

    expect(responses).toEqual(deliveries.map(() => ({ batchItemFailures: [] })));
    const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
    expect(await engineOutcome(stack, (pk) => pk.startsWith("rb-"))).toEqual(expectedOutcome(reference));
    expect(alertIds(await inbox.drain())).toEqual(alertIds(reference.alerts));
    expect(reference.alerts.length).toBeGreaterThan(4);
  });
});

/** A tally keyed by the trimmed account: a blank account gives an empty state key. */
const trimmedTally: Consumer<TallyValue, TallyState, TallyConfig> = {
  ...tallyConsumer,
  stateKeys: (record) => [record.value.account.trim()],
};

describe("records whose state key DynamoDB cannot store", () => {
  let stack: EngineTestStack;
  beforeAll(async () => {
    stack = await createEngineTestStack();
  });

  it("rejects a record with an empty or oversized state key and applies the rest of the batch", async () => {
    const handler = createKafkaHandler(trimmedTally, () => ({
      config: { step: 10 },
      tableName: stack.stateTable,
      sideTables: { milestones: stack.milestonesTable },
      alertTopicArn: stack.alertTopicArn,
      rejectedQueueUrl: stack.rejectedQueueUrl,
    }));
    const event = buildKafkaEvent([
      record(0, 0, "A", 1),
      record(0, 1, "   ", 1),
      record(0, 2, "x".repeat(2100), 1),
      record(1, 0, "B", 1),
    ]);

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: stack.stateTable }));
    expect(Items.map((item) => item.pk).sort()).toEqual(["A", "B"]);
    const rejected = await drainQueue<Record<string, unknown>>(stack.rejectedQueueUrl);
    expect(rejected.map(({ partition, offset, reason }) => ({ partition, offset, reason }))).toEqual([
      { partition: 0, offset: 1, reason: expect.stringMatching(/^no state key: .*empty/) },
      { partition: 0, offset: 2, reason: expect.stringMatching(/^no state key: .*2048 bytes/) },
    ]);
  });
});
