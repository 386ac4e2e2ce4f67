import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import type { EngineStats } from "../../functions/shared/engine/clients";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { drainQueue, subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import {
  type Fault,
  faultInjectingClients,
  faultOnNth,
  faultsAt,
  isKeyWrite,
  type RandomFaultOptions,
  randomFaults,
  SimulatedCrash,
} from "../support/fault-injection";
import { runRelay } from "../support/outbox-relay";
import { referenceFold } from "../support/reference-fold";
import { tallyConsumer } from "../support/tally-consumer";
import { invocation, TALLY_CONFIG, tallyHandler, tallyRecord } from "../support/tally-engine";

// Four seconds leave a two-second budget: enough for the writes, soon over for a publish that keeps failing.
const shortInvocation = { getRemainingTimeInMillis: () => 4_000 } as Context;

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
      let keyWrites = 0;
      const crashing = faultInjectingClients(faultOnNth(isKeyWrite, nth, fault), {
        // What raced: under load the crashing write's response could come after the other workers had started
        // every remaining key, so all 40 were written. A key write started after the crashing one now waits
        // until that crash has reached the engine (the macrotask after it), which then starts no new key.
        onCall: async (call) => {
          if (!isKeyWrite(call) || ++keyWrites <= nth) return;
          await crashing.crashed;
          await new Promise((resolve) => setImmediate(resolve));
        },
      });

      await expect(tallyHandler(stack, { clients: crashing.clients })(event, invocation)).rejects.toThrow(
        SimulatedCrash,
      );
      const afterCrash = await engineOutcome(stack, (pk) => pk.startsWith(prefix));
      const retry = await tallyHandler(stack)(event, invocation);
      // The crashed invocation claimed the alerts it wrote until its end: the relay publishes them after that.
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
    // The retry finds the alerts still claimed by the crashed invocation; the relay repeats them after its end.
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

describe("the engine under throttling", () => {
  let stack: EngineTestStack;
  beforeAll(async () => {
    stack = await createEngineTestStack();
  });

  it.each<[string, Omit<RandomFaultOptions, "seed">]>([
    ["30 % of DynamoDB calls throttled", { rate: 0.3, faults: ["throttle"], services: ["dynamodb"] }],
    [
      "30 % of SNS and SQS calls throttled or failing with 5xx",
      { rate: 0.3, faults: ["throttle", "server-error"], services: ["sns", "sqs"] },
    ],
  ])(
    "gives the state, side records, alerts and rejected records of a fault-free run with %s",
    async (name, faults) => {
      const topic = `theworldshop.tally.${name.replace(/\W+/g, "-")}`;
      const prefix = `${name.slice(8, 14)}-`;
      const inbox = await subscribeInbox(stack.alertTopicArn);
      const records: RawKafkaRecord[] = Array.from({ length: 36 }, (_, i) =>
        tallyRecord(topic, i % 3, Math.floor(i / 3), `${prefix}${(i % 3) * 2 + (i % 2)}`, 1 + ((i * 5) % 9)),
      );
      records.push({ topic, partition: 0, offset: 12, key: `${prefix}0`, value: "{not json" });
      const injector = faultInjectingClients(randomFaults({ seed: 7, ...faults }));
      const stats: EngineStats[] = [];
      const handle = tallyHandler(stack, { clients: injector.clients, onBatch: (s) => stats.push(s) });
      const byOffset = (from: number, to: number) => records.filter((r) => r.offset >= from && r.offset < to);

      const responses = [];
      for (const [from, to] of [
        [0, 5],
        [5, 9],
        [9, 13],
      ] as const)
        responses.push(await handle(buildKafkaEvent(byOffset(from, to)), invocation));

      expect(responses).toEqual(responses.map(() => ({ batchItemFailures: [] })));
      expect(injector.injected.length).toBeGreaterThan(0);
      expect(stats.reduce((sum, s) => sum + s.retries, 0)).toBeGreaterThanOrEqual(injector.injected.length);
      const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
      expect(await engineOutcome(stack, (pk) => pk.startsWith(prefix))).toEqual(expectedOutcome(reference));
      expect(alertIds(await inbox.drain())).toEqual(alertIds(reference.alerts));
      const rejected = await drainQueue<{ topic: string; partition: number; offset: number }>(
        stack.rejectedQueueUrl,
      );
      expect(rejected.map((r) => `${r.topic}:${r.partition}:${r.offset}`)).toEqual(reference.rejected);
    },
  );
});

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
    // The relay runs below happen "just after" this invocation: at its end, however long the checks between
    // take on a busy machine (its claim lasts 10 s past its end, a real-time wait would race that).
    const invocationEnded = new Date();

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await inbox.drain()).toEqual([]);
    const left = await engineOutcome(stack, ours);
    expect(left.pending).toEqual(alertIds(reference.alerts));
    expect(left.states).toEqual(expectedOutcome(reference).states);

    const withinGrace = await runRelay(stack, { time: invocationEnded });
    expect(withinGrace).toMatchObject({ alertsPublished: 0, itemsFound: 0 });
    // Listed, but the writer's claim still runs: its invocation might yet publish them.
    const withinClaim = await runRelay(stack, { time: invocationEnded, graceSeconds: 0 });
    expect(withinClaim).toMatchObject({ alertsPublished: 0, itemsFound: 2 });
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
