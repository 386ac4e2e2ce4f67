import { setTimeout as sleep } from "node:timers/promises";
import { ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEngineClients } from "../../../functions/shared/engine/clients";
import { createKafkaHandler } from "../../../functions/shared/engine/handler";
import { buildKafkaEvent, type RawKafkaRecord } from "../../../local/kafka-event";
import { quiet } from "../../support/quiet";
import { tallyConsumer } from "../../support/tally-consumer";

const topic = "theworldshop.tally";
const record = (partition: number, offset: number, account: string): RawKafkaRecord => ({
  topic,
  partition,
  offset,
  key: account,
  value: JSON.stringify({ eventId: `e-${partition}-${offset}`, account, amount: 1 }),
});
// A budget this short runs out while the engine still backs off from the throttling.
const shortInvocation = { getRemainingTimeInMillis: () => 400 } as Context;

// The budget is the subject: on fake time it runs out where the test says, not where a busy machine makes it.
vi.mock("node:timers/promises", () => import("../../support/fake-clock-timers"));

/** Invokes the handler and runs fake time on until the invocation has ended. */
async function invoke(handler: ReturnType<typeof handlerWith>, event: ReturnType<typeof buildKafkaEvent>) {
  const invocation = handler(event, shortInvocation);
  await vi.runAllTimersAsync();
  return invocation;
}

function handlerWith(clients: ReturnType<typeof createEngineClients>) {
  return createKafkaHandler(
    tallyConsumer,
    () => ({
      config: { step: 10 },
      tableName: "tally-state",
      alertTopicArn: "arn:aws:sns:us-east-1:000000000000:alerts",
      rejectedQueueUrl: "http://127.0.0.1/000000000000/rejected",
    }),
    { clients, ...quiet() },
  );
}

describe("the partial batch failure response", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports, for the partition of a key throttled past the budget, its first unfinished offset, and no other partition", async () => {
    const clients = createEngineClients();
    const dynamodb = mockClient(clients.dynamodb);
    dynamodb.on(BatchGetCommand).resolves({ Responses: { "tally-state": [] } });
    dynamodb.on(PutCommand).resolves({});
    dynamodb.on(PutCommand, { Item: { pk: "B" } }).rejects(
      new ProvisionedThroughputExceededException({
        message: "Rate of requests exceeds the allowed throughput",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const event = buildKafkaEvent([
      record(0, 10, "A"),
      record(0, 11, "B"),
      record(0, 12, "A"),
      record(0, 13, "B"),
      record(1, 3, "C"),
    ]);

    const response = await invoke(handlerWith(clients), event);

    expect(JSON.parse(JSON.stringify(response))).toStrictEqual({
      batchItemFailures: [{ itemIdentifier: { partition: "theworldshop.tally-0", offset: 11 } }],
    });
    const written = dynamodb.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.pk);
    expect(new Set(written)).toEqual(new Set(["A", "B", "C"]));
  });

  it("reports the keys it had no time left to start, instead of writing on past the budget", async () => {
    const clients = createEngineClients();
    const dynamodb = mockClient(clients.dynamodb);
    dynamodb.on(BatchGetCommand).callsFake(async () => {
      await sleep(300);
      return { Responses: { "tally-state": [] } };
    });
    dynamodb.on(PutCommand).resolves({});
    const event = buildKafkaEvent([record(0, 10, "A"), record(0, 11, "B"), record(1, 3, "C")]);

    const response = await invoke(handlerWith(clients), event);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: "theworldshop.tally-0", offset: 10 } },
      { itemIdentifier: { partition: "theworldshop.tally-1", offset: 3 } },
    ]);
    expect(dynamodb.commandCalls(PutCommand)).toEqual([]);
  });

  it("reports nothing when every key is applied", async () => {
    const clients = createEngineClients();
    const dynamodb = mockClient(clients.dynamodb);
    dynamodb.on(BatchGetCommand).resolves({ Responses: { "tally-state": [] } });
    dynamodb.on(PutCommand).resolves({});

    const response = await invoke(
      handlerWith(clients),
      buildKafkaEvent([record(0, 0, "A"), record(1, 0, "B")]),
    );

    expect(response).toStrictEqual({ batchItemFailures: [] });
  });
});
