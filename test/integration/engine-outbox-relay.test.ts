import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { buildKafkaEvent } from "../../local/kafka-event";
import { subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { faultInjectingClients, randomFaults } from "../support/fault-injection";
import { runRelay } from "../support/outbox-relay";
import { referenceFold } from "../support/reference-fold";
import { tallyConsumer } from "../support/tally-consumer";
import { TALLY_CONFIG, tallyHandler, tallyRecord } from "../support/tally-engine";

// Four seconds leave a two-second budget: enough for the writes, soon over for a publish that keeps failing.
const shortInvocation = { getRemainingTimeInMillis: () => 4_000 } as Context;

describe("the outbox relay", () => {
  let stack: EngineTestStack;
  beforeAll(async () => {
    stack = await createEngineTestStack();
  });

  it("publishes, once, the alerts a failed SNS publish left pending, and removes them, but not before their claim ran out", async () => {
    const topic = "theworldshop.tally.relay";
    const inbox = await subscribeInbox(stack.alertTopicArn);
    const records = [12, 9, 11, 3].map((amount, offset) =>
      tallyRecord(topic, offset % 2, offset, `relay-${offset % 2}`, amount),
    );
    const snsDown = faultInjectingClients(
      randomFaults({ seed: 1, rate: 1, faults: ["server-error"], operations: ["PublishBatch"] }),
    );
    const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
    const ours = (pk: string) => pk.startsWith("relay-");

    const response = await tallyHandler(stack, { clients: snsDown.clients })(
      buildKafkaEvent(records),
      shortInvocation,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await inbox.drain()).toEqual([]);
    const left = await engineOutcome(stack, ours);
    expect(left.pending).toEqual(alertIds(reference.alerts));
    expect(left.states).toEqual(expectedOutcome(reference).states);

    const tooEarly = await runRelay(stack, { time: new Date() });
    expect(tooEarly).toMatchObject({ alertsPublished: 0 });
    expect(await inbox.drain()).toEqual([]);

    const relayed = await runRelay(stack);
    expect(relayed).toMatchObject({ alertsPublished: reference.alerts.length, itemsFound: 2 });
    expect(relayed.oldestAgeSeconds).toBeGreaterThan(290);
    expect(alertIds(await inbox.drain())).toEqual(alertIds(reference.alerts));
    expect(await engineOutcome(stack, ours)).toEqual(expectedOutcome(reference));

    const again = await runRelay(stack);
    expect(again).toMatchObject({ alertsPublished: 0, itemsFound: 0, oldestAgeSeconds: 0 });
    expect(await inbox.drain()).toEqual([]);
  });
});
