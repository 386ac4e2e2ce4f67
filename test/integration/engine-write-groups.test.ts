import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import type { EngineClients, EngineStats } from "../../functions/shared/engine/clients";
import { createKafkaHandler } from "../../functions/shared/engine/handler";
import type { Consumer, RejectedRecord } from "../../functions/shared/engine/types";
import { buildKafkaEvent } from "../../local/kafka-event";
import { drainQueue, subscribeInbox } from "../support/alert-inbox";
import { alertIds, engineOutcome, expectedOutcome } from "../support/engine-outcome";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import {
  type AwsCall,
  type FaultInjectorOptions,
  faultInjectingClients,
  noFaults,
} from "../support/fault-injection";
import { quiet } from "../support/quiet";
import { referenceFold } from "../support/reference-fold";
import { bulkyConsumer, type TallyConfig, type TallyValue, tallyConsumer } from "../support/tally-consumer";
import {
  invocation,
  TALLY_CONFIG,
  tallyEngineOptions,
  tallyHandler,
  tallyRecord,
} from "../support/tally-engine";

const topic = "theworldshop.tally";

/** The pks a TransactWriteItems call puts, in order. */
const putKeys = (call: AwsCall) =>
  (call.input.TransactItems as { Put: { Item: { pk: string } } }[]).map(({ Put }) => Put.Item.pk);

/**
 * A handler writing `keysPerWrite` keys per TransactWriteItems, with as many keys in flight as `keyConcurrency`, on
 * clients that record every call; `groups()` are the pks of each TransactWriteItems made so far.
 */
function groupedRun(
  stack: EngineTestStack,
  { keysPerWrite, keyConcurrency }: { keysPerWrite: number; keyConcurrency: number },
  {
    consumer = tallyConsumer,
    onCall,
  }: {
    consumer?: Consumer<TallyValue, unknown, TallyConfig>;
    onCall?: FaultInjectorOptions["onCall"];
  } = {},
) {
  const injector = faultInjectingClients(noFaults, { onCall });
  const stats: EngineStats[] = [];
  const handler = createKafkaHandler(
    consumer,
    () => ({ ...tallyEngineOptions(stack), topic, keysPerWrite, keyConcurrency }),
    { ...quiet(), clients: injector.clients, onBatch: (batch) => stats.push(batch) },
  );
  const transactions = () => injector.calls.filter((call) => call.operation === "TransactWriteItems");
  return { handler, injector, stats, transactions, groups: () => transactions().map(putKeys) };
}

/** AWS's cancellation of a TransactWriteItems: nothing written, a reason per item in order. */
function cancelled(
  input: unknown,
  reasonOf: (item: { pk: string }) => { Code: string; Message?: string },
): TransactionCanceledException {
  const items = (input as { TransactItems: { Put: { Item: { pk: string } } }[] }).TransactItems;
  return new TransactionCanceledException({
    message: "Transaction cancelled, please refer cancellation reasons for specific reasons",
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: items.map(({ Put }) => reasonOf(Put.Item)),
  });
}

describe("keys written together (keysPerWrite)", () => {
  let stack: EngineTestStack;
  beforeEach(async () => {
    stack = await createEngineTestStack();
  });

  it("writes the keys that fold together in one TransactWriteItems per group, and a redelivery writes nothing", async () => {
    const inbox = await subscribeInbox(stack.alertTopicArn);
    // 30 accounts; every fifth passes a step of 10, so its write carries a milestone and is a transaction of its own.
    const records = Array.from({ length: 30 }, (_, i) =>
      tallyRecord(topic, i % 3, i, `group-${i}`, i % 5 === 0 ? 12 : 1 + (i % 4)),
    );
    const {
      handler,
      injector,
      stats,
      transactions: sent,
    } = groupedRun(stack, {
      keysPerWrite: 10,
      keyConcurrency: 30,
    });

    expect(await handler(buildKafkaEvent(records), invocation)).toEqual({ batchItemFailures: [] });

    const transactions = sent();
    const milestoneKeys = records.filter((_, i) => i % 5 === 0).map((r) => JSON.parse(r.value!).account);
    const groups = transactions.map(putKeys).filter((keys) => !milestoneKeys.includes(keys[0]));
    // 24 plain keys in groups of at most 10; the 6 milestone keys one transaction each.
    expect(groups.map((keys) => keys.length)).toEqual([10, 10, 4]);
    expect(transactions).toHaveLength(3 + 6);
    // The only PutItems: the alerting keys' outbox acknowledgements, after the publish.
    const puts = injector.calls.filter((call) => call.operation === "PutItem");
    expect(puts.map((call) => (call.input.Item as { pk: string }).pk).sort()).toEqual(milestoneKeys.sort());
    // 30 keys and the 6 acknowledgements.
    expect(stats[0]).toMatchObject({ writes: 36, conflicts: 0 });
    const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
    expect(await engineOutcome(stack, (pk) => pk.startsWith("group-"))).toEqual(expectedOutcome(reference));
    expect(alertIds(await inbox.drain())).toEqual(alertIds(reference.alerts));

    const writesBefore = injector.calls.filter((call) => call.operation !== "BatchGetItem").length;
    expect(await handler(buildKafkaEvent(records), invocation)).toEqual({ batchItemFailures: [] });

    expect(injector.calls.filter((call) => call.operation !== "BatchGetItem")).toHaveLength(writesBefore);
    expect(stats[1]).toMatchObject({ writes: 0, duplicatesSkipped: 30 });
    expect(await engineOutcome(stack, (pk) => pk.startsWith("group-"))).toEqual(expectedOutcome(reference));
  });

  it("redoes only the key whose condition failed, and puts the rest of its group again", async () => {
    const records = Array.from({ length: 10 }, (_, i) => tallyRecord(topic, 0, i, `race-${i}`, 1));
    // Another invocation (a rebalance) writes race-3 from partition 1 while the group is on its way.
    const rival = tallyRecord(topic, 1, 0, "race-3", 2);
    let rivalDone = false;
    const { handler, stats, groups } = groupedRun(
      stack,
      { keysPerWrite: 10, keyConcurrency: 10 },
      {
        onCall: async (call) => {
          if (call.operation !== "TransactWriteItems" || rivalDone) return;
          rivalDone = true;
          expect(await tallyHandler(stack)(buildKafkaEvent([rival]), invocation)).toEqual({
            batchItemFailures: [],
          });
        },
      },
    );

    expect(await handler(buildKafkaEvent(records), invocation)).toEqual({ batchItemFailures: [] });

    const [refused, again] = groups();
    expect(refused).toHaveLength(10);
    expect(again).toEqual(refused!.filter((pk) => pk !== "race-3"));
    expect(stats[0]).toMatchObject({ writes: 10, conflicts: 1 });
    // race-3 holds the rival's record, then its own, redone on what the rival wrote.
    const expected = expectedOutcome(referenceFold(tallyConsumer, TALLY_CONFIG, records));
    const states = {
      ...expected.states,
      "race-3": { total: 3, events: ["e-theworldshop.tally-1-0", "e-theworldshop.tally-0-3"] },
    };
    expect(await engineOutcome(stack, (pk) => pk.startsWith("race-"))).toEqual({ ...expected, states });
  });

  it("puts alone the key a cancelled group blames for a conflict, without resending the group whole", async () => {
    const records = Array.from({ length: 10 }, (_, i) => tallyRecord(topic, 0, i, `conflict-${i}`, 1));
    const { handler, injector, stats, groups } = groupedRun(stack, { keysPerWrite: 10, keyConcurrency: 10 });
    // AWS's answer when another transaction holds conflict-3: the group cancelled, nothing written.
    let conflicted = false;
    injector.clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== "TransactWriteItemsCommand" || conflicted) return next(args);
        conflicted = true;
        throw cancelled(args.input, ({ pk }) => ({
          Code: pk === "conflict-3" ? "TransactionConflict" : "None",
        }));
      },
      { step: "initialize", name: "conflictOnce" },
    );

    expect(await handler(buildKafkaEvent(records), invocation)).toEqual({ batchItemFailures: [] });

    const [first, again, ...more] = groups();
    expect(first).toHaveLength(10);
    expect(again).toEqual(first!.filter((pk) => pk !== "conflict-3"));
    expect(more).toEqual([]);
    const puts = injector.calls.filter((call) => call.operation === "PutItem");
    expect(puts.map((call) => (call.input.Item as { pk: string }).pk)).toEqual(["conflict-3"]);
    expect(stats[0]).toMatchObject({ writes: 10, conflicts: 0 });
    const reference = referenceFold(tallyConsumer, TALLY_CONFIG, records);
    expect(await engineOutcome(stack, (pk) => pk.startsWith("conflict-"))).toEqual(
      expectedOutcome(reference),
    );
  });

  it("closes a group before its items pass 3 MB, DynamoDB's 4 MB with a margin", async () => {
    const records = Array.from({ length: 10 }, (_, i) => tallyRecord(topic, 0, i, `heavy-${i}`, 350));
    const { handler, groups } = groupedRun(
      stack,
      { keysPerWrite: 10, keyConcurrency: 10 },
      { consumer: bulkyConsumer },
    );

    expect(await handler(buildKafkaEvent(records), invocation)).toEqual({ batchItemFailures: [] });

    // 350 KB items: eight make 2.8 MB, a ninth would pass 3 MB.
    expect(groups().map((keys) => keys.length)).toEqual([8, 2]);
    const outcome = await engineOutcome(stack, (pk) => pk.startsWith("heavy-"));
    expect(Object.keys(outcome.states)).toHaveLength(10);
  });

  it.each([
    ["as DynamoDB Local refuses it (a ValidationException of the call)", false],
    ["as AWS refuses it (the transaction cancelled with a ValidationError for that item)", true],
  ])(
    "rejects only the record whose item DynamoDB refuses, %s, and writes the rest of its group",
    async (_, asAws) => {
      const records = [
        tallyRecord(topic, 0, 0, "big-A", 100),
        tallyRecord(topic, 0, 1, "big-A", 350),
        ...["B", "C", "D"].flatMap((account, i) => [
          tallyRecord(topic, 1, 2 * i, `big-${account}`, 1),
          tallyRecord(topic, 1, 2 * i + 1, `big-${account}`, 1),
        ]),
      ];
      const { handler, injector, groups } = groupedRun(
        stack,
        { keysPerWrite: 4, keyConcurrency: 4 },
        { consumer: bulkyConsumer },
      );
      if (asAws) answerAsAws(injector.clients);

      expect(await handler(buildKafkaEvent(records), invocation)).toEqual({ batchItemFailures: [] });

      const outcome = await engineOutcome(stack, (pk) => pk.startsWith("big-"));
      const sizes = Object.fromEntries(
        Object.entries(outcome.states).map(([pk, state]) => [
          pk,
          (state as { pads: string[] }).pads.map((pad) => pad.length / 1024),
        ]),
      );
      expect(sizes).toEqual({ "big-A": [100], "big-B": [1, 1], "big-C": [1, 1], "big-D": [1, 1] });
      // B, C and D were put once more with both their records, not redone record by record as A was.
      const writesOf = (pk: string) =>
        injector.calls.filter((call) =>
          call.operation === "TransactWriteItems"
            ? putKeys(call).includes(pk)
            : call.operation === "PutItem" && (call.input.Item as { pk: string }).pk === pk,
        ).length;
      expect(["big-B", "big-C", "big-D"].map(writesOf)).toEqual([2, 2, 2]);
      // AWS names the one item: the other three go again as a group.
      expect(groups().slice(1)).toEqual(asAws ? [["big-B", "big-C", "big-D"]] : []);
      const rejected = await drainQueue<RejectedRecord>(stack.rejectedQueueUrl);
      expect(rejected.map(({ partition, offset, reason }) => ({ partition, offset, reason }))).toEqual([
        {
          partition: 0,
          offset: 1,
          reason: expect.stringMatching(
            /^DynamoDB refused the state item of key big-A: Item size has exceeded the maximum allowed size/,
          ),
        },
      ]);
    },
  );
});

/**
 * Turns DynamoDB Local's ValidationException for a transaction into AWS's answer: TransactionCanceledException,
 * with a ValidationError reason for the item too large and None for the others.
 */
function answerAsAws(clients: EngineClients): void {
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (
          context.commandName !== "TransactWriteItemsCommand" ||
          (error as Error).name !== "ValidationException"
        )
          throw error;
        throw cancelled(args.input, (item) =>
          JSON.stringify(item).length > 400 * 1024
            ? // Not Local's words: the rejection must carry what the refused item's own PutItem answers.
              {
                Code: "ValidationError",
                Message: "Item size to update has exceeded the maximum allowed size",
              }
            : { Code: "None" },
        );
      }
    },
    { step: "initialize", name: "answerAsAws" },
  );
}
