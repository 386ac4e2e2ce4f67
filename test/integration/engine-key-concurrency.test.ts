import { beforeAll, describe, expect, it } from "vitest";
import { createEngineClients } from "../../functions/shared/engine/clients";
import { createKafkaHandler } from "../../functions/shared/engine/handler";
import { buildKafkaEvent } from "../../local/kafka-event";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { quiet } from "../support/quiet";
import { tallyConsumer } from "../support/tally-consumer";
import { invocation, tallyEngineOptions, tallyRecord } from "../support/tally-engine";

describe("the engine's state keys in flight", () => {
  let stack: EngineTestStack;
  beforeAll(async () => {
    stack = await createEngineTestStack();
  });

  it.each([
    [undefined, 16],
    [3, 3],
  ])("applies at most keyConcurrency (%s) keys of a batch at once", async (keyConcurrency, most) => {
    const topic = `theworldshop.tally.concurrency-${keyConcurrency ?? "default"}`;
    const clients = createEngineClients();
    let inFlight = 0;
    let highest = 0;
    clients.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        highest = Math.max(highest, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: "initialize", name: "inFlightCount" },
    );
    // 40 accounts, one record each: more keys than either concurrency, so every worker has keys to take.
    const records = Array.from({ length: 40 }, (_, i) => tallyRecord(topic, 0, i, `${topic}-${i}`, 1));
    const handler = createKafkaHandler(
      tallyConsumer,
      () => ({ ...tallyEngineOptions(stack), topic, keyConcurrency }),
      { ...quiet(), clients },
    );

    const outcome = await handler(buildKafkaEvent(records), invocation);

    expect(outcome).toEqual({ batchItemFailures: [] });
    expect(highest).toBe(most);
  });
});
