import { beforeAll, describe, expect, it } from "vitest";
import { buildKafkaEvent } from "../../local/kafka-event";
import { subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import {
  type Fault,
  faultInjectingClients,
  faultOnNth,
  faultsAt,
  isKeyWrite,
  SimulatedCrash,
} from "../support/fault-injection";
import { runRelay } from "../support/outbox-relay";
import { referenceFold } from "../support/reference-fold";
import { tallyConsumer } from "../support/tally-consumer";
import { invocation, TALLY_CONFIG, tallyHandler, tallyRecord } from "../support/tally-engine";

describe("an invocation that crashes half-way", () => {
  let stack: EngineTestStack;
  beforeAll(async () => {
    stack = await createEngineTestStack();
  });

  it.each<[Fault, number]>([
    ["crash-after", 20],
    ["crash-before", 5],
  ])(
    "gives the state, side records and alerts of one delivery when a key write %s #%i and the batch is retried",
    async (fault, nth) => {
      const topic = `theworldshop.tally.${fault}`;
      const prefix = `${fault}-`;
      const inbox = await subscribeInbox(stack.alertTopicArn);
      // 40 keys, more than the engine writes at once, so the crash leaves some keys written and some not.
      const records = Array.from({ length: 80 }, (_, i) =>
        tallyRecord(topic, i % 2, i >> 1, `${prefix}${i % 40}`, 3 + (i % 9)),
      );
      const event = buildKafkaEvent(records);
      const crashing = faultInjectingClients(faultOnNth(isKeyWrite, nth, fault));

      await expect(tallyHandler(stack, { clients: crashing.clients })(event, invocation)).rejects.toThrow(
        SimulatedCrash,
      );
      const afterCrash = await engineOutcome(stack, (pk) => pk.startsWith(prefix));
      const retry = await tallyHandler(stack)(event, invocation);
      await runRelay(stack);

      expect(crashing.injected).toHaveLength(1);
      expect(Object.keys(afterCrash.states).length).toBeGreaterThan(0);
      expect(Object.keys(afterCrash.states).length).toBeLessThan(40);
      expect(retry).toEqual({ batchItemFailures: [] });
      const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
      expect(await engineOutcome(stack, (pk) => pk.startsWith(prefix))).toEqual(expectedOutcome(reference));
      expect(alertIds(await inbox.drain())).toEqual(alertIds(reference.alerts));
    },
  );

  it("publishes an alert again, with the same alertId and content, when it crashed after the SNS publish and before the outbox removal", async () => {
    const topic = "theworldshop.tally.publish-crash";
    const inbox = await subscribeInbox(stack.alertTopicArn);
    const records = [12, 9, 4, 15].map((amount, offset) => tallyRecord(topic, 0, offset, "pc-A", amount));
    const event = buildKafkaEvent(records);
    const crashing = faultInjectingClients(
      faultsAt([{ operation: "PublishBatch", nth: 1, fault: "crash-after" }]),
    );

    await expect(tallyHandler(stack, { clients: crashing.clients })(event, invocation)).rejects.toThrow(
      SimulatedCrash,
    );
    const published = await inbox.drain<{ alertId: string }>();
    const retry = await tallyHandler(stack)(event, invocation);
    const relayed = await runRelay(stack);
    const republished = await inbox.drain<{ alertId: string }>();

    const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
    expect(alertIds(published)).toEqual(alertIds(reference.alerts));
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(relayed.alertsPublished).toBe(reference.alerts.length);
    expect(republished.sort((a, b) => a.alertId.localeCompare(b.alertId))).toEqual(
      published.sort((a, b) => a.alertId.localeCompare(b.alertId)),
    );
    expect(await engineOutcome(stack, (pk) => pk.startsWith("pc-"))).toEqual(expectedOutcome(reference));
    expect(await runRelay(stack)).toMatchObject({ alertsPublished: 0 });
  });
});
