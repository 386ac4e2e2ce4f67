import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { createKafkaHandler } from "../../functions/shared/engine/handler";
import type { Consumer } from "../../functions/shared/engine/types";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { drainQueue } from "../support/alert-inbox";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { type TallyConfig, type TallyState, type TallyValue, tallyConsumer } from "../support/tally-consumer";

const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const topic = "theworldshop.tally";
/** A tally keyed by the trimmed account: a blank account gives an empty state key. */
const trimmedTally: Consumer<TallyValue, TallyState, TallyConfig> = {
  ...tallyConsumer,
  stateKeys: (record) => [record.value.account.trim()],
};
const record = (partition: number, offset: number, account: string): RawKafkaRecord => ({
  topic,
  partition,
  offset,
  key: account,
  value: JSON.stringify({ eventId: `e-${partition}-${offset}`, account, amount: 1 }),
});

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
      record(0, 0, "A"),
      record(0, 1, "   "),
      record(0, 2, "x".repeat(2100)),
      record(1, 0, "B"),
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
