import { beforeAll, describe, expect, it } from "vitest";
import type { EngineStats } from "../../functions/shared/engine/clients";
import { buildKafkaEvent } from "../../local/kafka-event";
import { subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { faultInjectingClients, isKeyWrite, noFaults } from "../support/fault-injection";
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

  it.each([
    { first: [0, 9], second: [5, 14] },
    { first: [0, 14], second: [0, 14] },
    { first: [3, 14], second: [0, 6] },
  ])(
    "loses no update when two invocations with overlapping batches ($first and $second) race on the same keys",
    async ({ first, second }) => {
      const topic = `theworldshop.tally.race-${first.join("-")}-${second.join("-")}`;
      const prefix = `race${first[0]}${second[0]}-`;
      const inbox = await subscribeInbox(stack.alertTopicArn);
      const records = Array.from({ length: 30 }, (_, i) =>
        tallyRecord(
          topic,
          i % 2,
          i >> 1,
          `${prefix}${i % 2 === 0 ? ["A", "B"][(i >> 1) % 2] : "C"}`,
          2 + ((i * 7) % 9),
        ),
      );
      const slice = ([from, to]: number[]) => records.filter((r) => r.offset >= from! && r.offset <= to!);
      // Both invocations have read every key before either writes one: each shared key's writes collide.
      const bothRead = barrier(2);
      const racing = () => {
        let waited = false;
        return faultInjectingClients(noFaults, {
          onCall: async (call) => {
            if (waited || !isKeyWrite(call)) return;
            waited = true;
            await bothRead();
          },
        }).clients;
      };
      const conflicts: number[] = [];
      const onBatch = (stats: EngineStats) => conflicts.push(stats.conflicts);

      // What lies before the later start was applied and committed before: the event source mapping delivers from
      // the committed offset, so no invocation starts past a record nobody has applied.
      const applied = records.filter((r) => r.offset < Math.max(first[0]!, second[0]!));
      if (applied.length > 0) await tallyHandler(stack)(buildKafkaEvent(applied), invocation);
      const responses = await Promise.all([
        tallyHandler(stack, { clients: racing(), onBatch })(buildKafkaEvent(slice(first)), invocation),
        tallyHandler(stack, { clients: racing(), onBatch })(buildKafkaEvent(slice(second)), invocation),
      ]);

      expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
      expect(conflicts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      const covered = records.filter((r) => r.offset <= Math.max(first[1]!, second[1]!));
      const reference = referenceFold(tallyConsumer, TALLY_CONFIG, covered);
      expect(await engineOutcome(stack, (pk) => pk.startsWith(prefix))).toEqual(expectedOutcome(reference));
      expect(alertIds(await inbox.drain())).toEqual(alertIds(reference.alerts));
    },
  );
});

/** Resolves every waiter once `parties` of them wait. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}
