import { beforeAll, describe, expect, it } from "vitest";
import { buildKafkaEvent } from "../../local/kafka-event";
import { subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { faultInjectingClients, noFaults } from "../support/fault-injection";
import { referenceFold } from "../support/reference-fold";
import { tallyConsumer } from "../support/tally-consumer";
import { invocation, TALLY_CONFIG, tallyHandler, tallyRecord } from "../support/tally-engine";

describe("two invocations on the same keys at once (a rebalance)", () => {
  let stack: EngineTestStack;
  beforeAll(async () => {
    stack = await createEngineTestStack();
  });

  it("publishes each alert once when the second invocation writes the key while the first is still publishing", async () => {
    const topic = "theworldshop.tally.held";
    const inbox = await subscribeInbox(stack.alertTopicArn);
    const records = [4, 8, 5, 9, 3, 7].map((amount, offset) =>
      tallyRecord(topic, 0, offset, "held-A", amount),
    );
    const second = tallyHandler(stack, { clients: faultInjectingClients(noFaults).clients });
    let secondDone: Promise<unknown> | undefined;
    // The first invocation has written the key and is about to publish: the new owner runs in between.
    const first = tallyHandler(stack, {
      clients: faultInjectingClients(noFaults, {
        onCall: async (call) => {
          if (call.operation !== "PublishBatch" || secondDone) return;
          secondDone = second(buildKafkaEvent(records), invocation);
          await secondDone;
        },
      }).clients,
    });

    const firstResponse = await first(buildKafkaEvent(records.slice(0, 3)), invocation);

    expect(firstResponse).toEqual({ batchItemFailures: [] });
    expect(await secondDone).toEqual({ batchItemFailures: [] });
    const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
    expect(await engineOutcome(stack, (pk) => pk.startsWith("held-"))).toEqual(expectedOutcome(reference));
    expect(alertIds(await inbox.drain())).toEqual(alertIds(reference.alerts));
  });
});
