import { setTimeout as sleep } from "node:timers/promises";
import { BatchGetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEngineClients } from "../../../functions/shared/engine/clients";
import { createKafkaHandler } from "../../../functions/shared/engine/handler";
import { buildKafkaEvent } from "../../../local/kafka-event";
import { quiet } from "../../support/quiet";
import { tallyConsumer } from "../../support/tally-consumer";

const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
const options = () => ({
  config: { step: 1000 },
  tableName: "tally-state",
  alertTopicArn: "arn:aws:sns:us-east-1:000000000000:alerts",
  rejectedQueueUrl: "http://127.0.0.1/000000000000/rejected",
});

// The writes' latency is fake time: which writes are in flight when one crashes does not depend on the machine.
vi.mock("node:timers/promises", () => import("../../support/fake-clock-timers"));

describe("an invocation that crashes", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts no further key and leaves no write in flight once one key's write crashed", async () => {
    const clients = createEngineClients();
    const dynamodb = mockClient(clients.dynamodb);
    dynamodb.on(BatchGetCommand).resolves({ Responses: { "tally-state": [] } });
    let inFlight = 0;
    const started: string[] = [];
    dynamodb.on(PutCommand).callsFake(async (input: { Item: { pk: string } }) => {
      started.push(input.Item.pk);
      if (input.Item.pk === "K03") throw new Error("process died");
      inFlight++;
      await sleep(20);
      inFlight--;
      return {};
    });
    const accounts = Array.from({ length: 40 }, (_, i) => `K${String(i).padStart(2, "0")}`);
    const event = buildKafkaEvent(
      accounts.map((account, offset) => ({
        topic: "theworldshop.tally",
        partition: 0,
        offset,
        key: account,
        value: JSON.stringify({ eventId: `e-${offset}`, account, amount: 1 }),
      })),
    );

    const handler = createKafkaHandler(tallyConsumer, options, { clients, ...quiet() });
    // What is in flight is taken the moment the invocation ends, while fake time runs the writes on.
    const ended = handler(event, context).then(
      () => ({ error: undefined, inFlight }),
      (error: unknown) => ({ error, inFlight }),
    );
    await vi.runAllTimersAsync();
    const outcome = await ended;

    expect(outcome.error).toBeInstanceOf(Error);
    expect((outcome.error as Error).message).toBe("process died");
    expect(outcome.inFlight).toBe(0);
    expect(started.length).toBeLessThan(accounts.length);
    // Everything still scheduled runs now: a worker that outlived the invocation would start a write here.
    await vi.runAllTimersAsync();
    expect(vi.getTimerCount()).toBe(0);
    expect(dynamodb.commandCalls(PutCommand).length).toBe(started.length);
  });
});
