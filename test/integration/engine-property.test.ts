import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { RawKafkaRecord } from "../../local/kafka-event";
import { drainQueue, subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { FAULTS, faultInjectingClients, randomFaults } from "../support/fault-injection";
import { runRelay } from "../support/outbox-relay";
import { deliverUntilCommitted } from "../support/redelivery-driver";
import { referenceFold } from "../support/reference-fold";
import { tallyConsumer } from "../support/tally-consumer";
import { invocation, TALLY_CONFIG, tallyHandler, tallyRecord } from "../support/tally-engine";

const poisonValue = fc.constantFrom<string | null>(
  "{not json",
  null,
  JSON.stringify({ eventId: "e-bad", account: "x", amount: "ten" }),
);
/** A record of one partition: an amount for one of the partition's two accounts, or a poison value. */
const slot = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ account: fc.integer({ min: 0, max: 1 }), amount: fc.integer({ min: 1, max: 9 }) }),
  },
  { weight: 1, arbitrary: fc.record({ poison: poisonValue }) },
);
const scenario = fc.record({
  partitions: fc.array(fc.array(slot, { minLength: 2, maxLength: 9 }), { minLength: 2, maxLength: 3 }),
  polls: fc.array(
    fc.record({
      size: fc.integer({ min: 1, max: 6 }),
      overlap: fc.option(fc.record({ size: fc.integer({ min: 1, max: 6 }) }), { freq: 4, nil: undefined }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  faults: fc.record({
    seed: fc.integer(),
    rate: fc.integer({ min: 10, max: 35 }).map((percent) => percent / 100),
    faults: fc.subarray([...FAULTS], { minLength: 1 }),
    limit: fc.integer({ min: 2, max: 8 }),
  }),
});

describe("the engine against an in-memory fold of the reducer", () => {
  let stack: EngineTestStack;
  let inbox: Awaited<ReturnType<typeof subscribeInbox>>;
  beforeAll(async () => {
    stack = await createEngineTestStack();
    inbox = await subscribeInbox(stack.alertTopicArn);
  });

  it("ends in the state, side records, alerts and rejected records of applying each record once, whatever the batching, overlaps and faults", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ partitions, polls, faults }) => {
        run++;
        const topic = `theworldshop.tally.property-${run}`;
        const prefix = `pr${run}-`;
        const records: RawKafkaRecord[] = partitions.flatMap((slots, partition) =>
          slots.map((s, offset) =>
            "poison" in s
              ? { topic, partition, offset, key: `${prefix}${partition}`, value: s.poison }
              : tallyRecord(topic, partition, offset, `${prefix}${partition}-${s.account}`, s.amount),
          ),
        );
        const injector = faultInjectingClients(randomFaults(faults));
        const handler = tallyHandler(stack, { clients: injector.clients });

        await deliverUntilCommitted(records, polls, (event) => handler(event, invocation));
        await runRelay(stack);

        const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
        expect(await engineOutcome(stack, (pk) => pk.startsWith(prefix))).toEqual(expectedOutcome(reference));
        const received = alertIds(await inbox.drain());
        // Only a crash between a publish and its acknowledgement may repeat an alert, with the same alertId.
        const crashed = injector.injected.some(({ fault }) => fault.startsWith("crash"));
        if (!crashed) expect(received).toEqual(alertIds(reference.alerts));
        else expect([...new Set(received)]).toEqual(alertIds(reference.alerts));
        const rejected = await drainQueue<{ topic: string; partition: number; offset: number }>(
          stack.rejectedQueueUrl,
        );
        expect([...new Set(rejected.map((r) => `${r.topic}:${r.partition}:${r.offset}`))].sort()).toEqual(
          [...reference.rejected].sort(),
        );
      }),
      { numRuns: 25, seed: 20261120, endOnFailure: true },
    );
  }, 120_000);
});
