import { ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { PublishBatchCommand } from "@aws-sdk/client-sns";
import { BatchGetCommand, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createEngineClients, type EngineStats } from "../../../functions/shared/engine/clients";
import { createKafkaHandler } from "../../../functions/shared/engine/handler";
import { buildKafkaEvent } from "../../../local/kafka-event";
import { quiet } from "../../support/quiet";
import { tallyConsumer } from "../../support/tally-consumer";

const shortInvocation = { getRemainingTimeInMillis: () => 400 } as Context;

describe("acknowledging published alerts", () => {
  it("does not fail a batch whose state is applied when only the outbox acknowledgement stays throttled", async () => {
    const clients = createEngineClients();
    const dynamodb = mockClient(clients.dynamodb);
    const sns = mockClient(clients.sns);
    dynamodb.on(BatchGetCommand).resolves({ Responses: { "tally-state": [] } });
    dynamodb.on(TransactWriteCommand).resolves({});
    dynamodb.on(PutCommand).rejects(
      new ProvisionedThroughputExceededException({
        message: "slow down",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: "a0", MessageId: "m-1" }], Failed: [] });
    const stats: EngineStats[] = [];
    const handler = createKafkaHandler(
      tallyConsumer,
      () => ({
        config: { step: 10 },
        tableName: "tally-state",
        sideTables: { milestones: "tally-milestones" },
        alertTopicArn: "arn:aws:sns:us-east-1:000000000000:alerts",
        rejectedQueueUrl: "http://127.0.0.1/000000000000/rejected",
      }),
      { clients, ...quiet(), onBatch: (s) => stats.push(s) },
    );
    const event = buildKafkaEvent([
      {
        topic: "theworldshop.tally",
        partition: 0,
        offset: 0,
        key: "A",
        value: JSON.stringify({ eventId: "e-0", account: "A", amount: 12 }),
      },
    ]);

    const response = await handler(event, shortInvocation);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(1);
    expect(stats[0]).toMatchObject({ writes: 1, alertsPublished: 1 });
  });
});
