import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import type { EngineStats } from "../../functions/shared/engine/clients";
import type { RejectedRecord } from "../../functions/shared/engine/types";
import { buildKafkaEvent } from "../../local/kafka-event";
import { drainQueue } from "../support/alert-inbox";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { type FaultSchedule, faultInjectingClients, faultsAt } from "../support/fault-injection";
import { bulkyConsumer } from "../support/tally-consumer";
import { invocation, tallyHandler, tallyRecord } from "../support/tally-engine";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const topic = "theworldshop.tally";

async function itemOf(stack: EngineTestStack, pk: string) {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: stack.stateTable, Key: { pk }, ConsistentRead: true }),
  );
  return Item;
}

describe("an item DynamoDB can never store", () => {
  let stack: EngineTestStack;
  beforeEach(async () => {
    stack = await createEngineTestStack();
  });

  it("rejects the record that makes it too large with DynamoDB's reason, fences it, and applies the partition's later records", async () => {
    const handler = tallyHandler(stack, {}, bulkyConsumer);
    const event = buildKafkaEvent([
      tallyRecord(topic, 0, 0, "A", 100),
      tallyRecord(topic, 0, 1, "A", 350),
      tallyRecord(topic, 0, 2, "A", 10),
      tallyRecord(topic, 1, 0, "A", 5),
      tallyRecord(topic, 1, 1, "B", 1),
    ]);

    const response = await handler(event, invocation);

    expect(response).toEqual({ batchItemFailures: [] });
    const item = await itemOf(stack, "A");
    expect(item?.state.pads.map((pad: string) => pad.length / 1024)).toEqual([100, 10, 5]);
    expect(item).toMatchObject({ "f:theworldshop.tally:0": 2, "f:theworldshop.tally:1": 0 });
    expect((await itemOf(stack, "B"))?.state.pads).toHaveLength(1);
    const rejected = await drainQueue<RejectedRecord>(stack.rejectedQueueUrl);
    expect(rejected.map(({ partition, offset, reason }) => ({ partition, offset, reason }))).toEqual([
      {
        partition: 0,
        offset: 1,
        reason: expect.stringMatching(
          /^DynamoDB refused the state item of key A: Item size has exceeded the maximum allowed size/,
        ),
      },
    ]);

    const later = await handler(buildKafkaEvent([tallyRecord(topic, 0, 3, "A", 1)]), invocation);

    expect(later).toEqual({ batchItemFailures: [] });
    expect((await itemOf(stack, "A"))?.state.pads).toHaveLength(4);
    expect(await drainQueue(stack.rejectedQueueUrl)).toEqual([]);
  });
});

describe("transient errors and hung calls", () => {
  let stack: EngineTestStack;
  beforeEach(async () => {
    stack = await createEngineTestStack();
  });

  function faultyTally(schedule: FaultSchedule) {
    const injector = faultInjectingClients(schedule);
    const batches: EngineStats[] = [];
    const handler = tallyHandler(stack, {
      clients: injector.clients,
      onBatch: (stats) => batches.push(stats),
    });
    return { injector, batches, handler };
  }

  it("retries throttled and failing calls within the budget, each once more, and applies the batch", async () => {
    const { injector, batches, handler } = faultyTally(
      faultsAt([
        { operation: "SendMessageBatch", nth: 1, fault: "server-error" },
        { operation: "BatchGetItem", nth: 1, fault: "throttle" },
        { operation: "PutItem", nth: 1, fault: "throttle" },
      ]),
    );
    const event = buildKafkaEvent([
      tallyRecord(topic, 0, 0, "A", 4),
      { topic, partition: 0, offset: 1, key: "A", value: "{not json" },
      tallyRecord(topic, 1, 0, "B", 3),
    ]);

    const response = await handler(event, invocation);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(injector.injected).toHaveLength(3);
    const count = (operation: string) => injector.calls.filter((c) => c.operation === operation).length;
    expect([count("SendMessageBatch"), count("BatchGetItem"), count("PutItem")]).toEqual([2, 2, 3]);
    expect(batches[0]?.retries).toBe(3);
    expect((await itemOf(stack, "A"))?.state.total).toBe(4);
    expect((await itemOf(stack, "B"))?.state.total).toBe(3);
    expect((await drainQueue<RejectedRecord>(stack.rejectedQueueUrl)).map((r) => r.offset)).toEqual([1]);
  });

  it("aborts a call that never answers at the deadline and reports its partition, applying the others", async () => {
    const { handler } = faultyTally((call) =>
      call.operation === "PutItem" && (call.input.Item as { pk?: string }).pk === "A" ? "hang" : undefined,
    );
    // 4 s left: the engine's deadline is 2 s away (half the time, as the safety margin is larger).
    const shortInvocation = { getRemainingTimeInMillis: () => 4_000 } as Context;
    const event = buildKafkaEvent([tallyRecord(topic, 0, 5, "A", 4), tallyRecord(topic, 1, 7, "B", 3)]);

    const response = await handler(event, shortInvocation);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: `${topic}-0`, offset: 5 } }],
    });
    expect(await itemOf(stack, "A")).toBeUndefined();
    expect((await itemOf(stack, "B"))?.state.total).toBe(3);
  });
});
