import { beforeAll, describe, expect, it } from "vitest";
import type { EngineStats } from "../../functions/shared/engine/clients";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { drainQueue, subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { faultInjectingClients, type RandomFaultOptions, randomFaults } from "../support/fault-injection";
import { referenceFold } from "../support/reference-fold";
import { tallyConsumer } from "../support/tally-consumer";
import { invocation, TALLY_CONFIG, tallyHandler, tallyRecord } from "../support/tally-engine";

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
