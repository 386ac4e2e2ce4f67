import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { BatchGetCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { EngineStats } from "../../../functions/shared/engine/clients";
import { createEngineClients } from "../../../functions/shared/engine/clients";
import { createKafkaHandler } from "../../../functions/shared/engine/handler";
import type { Consumer } from "../../../functions/shared/engine/types";
import { buildKafkaEvent } from "../../../local/kafka-event";
import { quiet } from "../../support/quiet";
import {
  type TallyConfig,
  type TallyState,
  type TallyValue,
  tallyConsumer,
} from "../../support/tally-consumer";

const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
const topic = "theworldshop.tally";
/** The tally with a bug: it throws on an amount of 13. */
const unluckyTally: Consumer<TallyValue, TallyState, TallyConfig> = {
  ...tallyConsumer,
  reduce(key, state, record, config) {
    if (record.value.amount === 13) throw new RangeError("unlucky amount");
    return tallyConsumer.reduce(key, state, record, config);
  },
};

describe("a reducer that throws", () => {
  it("sends the record it threw on to the rejected queue once, even when the key's write lost a race and was redone", async () => {
    const clients = createEngineClients();
    const dynamodb = mockClient(clients.dynamodb);
    const sqs = mockClient(clients.sqs);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    dynamodb.on(BatchGetCommand).resolves({ Responses: { "tally-state": [] } });
    dynamodb.on(GetCommand).resolves({});
    dynamodb
      .on(PutCommand)
      .rejectsOnce(
        new ConditionalCheckFailedException({ message: "changed", $metadata: { httpStatusCode: 400 } }),
      )
      .resolves({});
    const stats: EngineStats[] = [];
    const handler = createKafkaHandler(
      unluckyTally,
      () => ({
        config: { step: 1000 },
        tableName: "tally-state",
        alertTopicArn: "arn:aws:sns:us-east-1:000000000000:alerts",
        rejectedQueueUrl: "http://127.0.0.1/000000000000/rejected",
      }),
      { clients, ...quiet(), onBatch: (s) => stats.push(s) },
    );
    const event = buildKafkaEvent(
      [5, 13, 7].map((amount, offset) => ({
        topic,
        partition: 0,
        offset,
        key: "A",
        value: JSON.stringify({ eventId: `e-${offset}`, account: "A", amount }),
      })),
    );

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    const sent = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(sent.map((entry) => JSON.parse(entry.MessageBody!))).toEqual([
      expect.objectContaining({ topic, partition: 0, offset: 1, reason: "reducer failed: unlucky amount" }),
    ]);
    expect(stats[0]).toMatchObject({ rejected: 1, conflicts: 1, writes: 1 });
    const [, second] = dynamodb.commandCalls(PutCommand);
    expect(second?.args[0].input.Item).toMatchObject({ state: { total: 12 }, [`f:${topic}:0`]: 2 });
  });
});
