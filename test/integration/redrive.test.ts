import { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { inventoryConfigFromEnv } from "../../functions/inventory/config";
import { inventoryConsumer } from "../../functions/inventory/consumer";
import type { InventoryValue } from "../../functions/inventory/schema";
import { REDRIVE_MARKERS_ATTRIBUTE } from "../../functions/shared/engine/redrive";
import type { Consumer } from "../../functions/shared/engine/types";
import type { RawKafkaRecord } from "../../local/kafka-event";
import { redriveRejected } from "../../local/ops/redrive";
import { drainQueue } from "../support/alert-inbox";
import { consumerHandler, invokeHandler, postRejected } from "../support/redrive";
import { alertIds, consumerStack, deliver, items, rejectedAsFormat2, states } from "../support/redrive-run";

const sqs = new SQSClient({});
const INVENTORY = "functions/inventory/handler.ts";

/** Our schema, too strict: it refuses more than 100 units, which the shop now sells. */
const strictInventory: Consumer<InventoryValue, unknown, unknown> = {
  ...(inventoryConsumer as Consumer<InventoryValue, unknown, unknown>),
  schema: inventoryConsumer.schema.refine((value) => value.quantity <= 100, {
    message: "more than 100 units",
    path: ["quantity"],
  }),
};
const stock = (offset: number, productId: string, quantity: number, minute: number): RawKafkaRecord => ({
  topic: "theworldshop.inventory",
  partition: 0,
  offset,
  key: productId,
  value: JSON.stringify({
    eventId: `E-${offset}`,
    productId,
    quantity,
    eventTime: new Date(Date.UTC(2026, 10, 20, 23, minute)).toISOString(),
  }),
  timestamp: Date.UTC(2026, 10, 20, 23, minute),
});
// P-1 sells out, then a restock of 150 (refused); P-2's 300 (refused) is followed by a later snapshot.
const INVENTORY_RECORDS = [
  stock(0, "P-1", 50, 0),
  stock(1, "P-2", 20, 1),
  stock(2, "P-1", 5, 2),
  stock(3, "P-2", 300, 3),
  stock(4, "P-1", 0, 4),
  stock(5, "P-2", 30, 5),
  stock(6, "P-1", 150, 6),
];

describe("redrive of rejected records, exactly once", () => {
  it("applies inventory records rejected by a strict schema once after the fix, also when each message came twice", async () => {
    const reference = await consumerStack("redrive-ref", INVENTORY);
    await deliver(
      consumerHandler(inventoryConsumer, inventoryConfigFromEnv(reference.env), reference.env),
      INVENTORY_RECORDS,
    );
    const run = await consumerStack("redrive-inv", INVENTORY);
    await deliver(
      consumerHandler(strictInventory, inventoryConfigFromEnv(run.env), run.env),
      INVENTORY_RECORDS,
    );
    const refused = INVENTORY_RECORDS.filter((r) => JSON.parse(r.value!).quantity > 100);
    await rejectedAsFormat2(run.env.REJECTED_QUEUE_URL!, "inventory", refused, 2);

    const fixed = consumerHandler(inventoryConsumer, inventoryConfigFromEnv(run.env), run.env);
    const report = await redriveRejected({
      sqs,
      queueUrl: run.env.REJECTED_QUEUE_URL!,
      consumer: "inventory",
      invoke: invokeHandler(fixed),
    });

    expect(report.applied.map((c) => c.offset).sort()).toEqual([3, 3, 6, 6]);
    expect(report).toMatchObject({ rejectedAgain: [], notRedrivable: [], unfinished: [] });
    expect(await drainQueue(run.env.REJECTED_QUEUE_URL!)).toEqual([]);
    // What the storefront shows and every alert equal a run that never rejected them; a redrive is late, so the
    // P-2 snapshot older than the state's asOf counts as stale, not as a sale (docs/operations.md, "Redrive").
    const shown = (all: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(all).map(([pk, state]) => {
          const { quantity, status, asOf } = state as Record<string, unknown>;
          return [pk, { quantity, status, asOf }];
        }),
      );
    const redriven = await states(run.env.STATE_TABLE_NAME!);
    expect(shown(redriven)).toEqual(shown(await states(reference.env.STATE_TABLE_NAME!)));
    expect(redriven["P-2"]).toMatchObject({ staleIgnored: 1, recentSales: [] });
    expect(await alertIds(run.inbox)).toEqual(await alertIds(reference.inbox));
    const p1 = (await items(run.env.STATE_TABLE_NAME!))["P-1"]!;
    expect(Object.keys(p1[REDRIVE_MARKERS_ATTRIBUTE])).toEqual(["theworldshop.inventory:0:6"]);
    // The fence stays where the live records moved it.
    expect(p1["f:theworldshop.inventory:0"]).toBe(6 - 2);
  });

  it("applies inventory records the engine itself rejected once after the fix; a second redrive applies nothing", async () => {
    const reference = await consumerStack("redrive-eref", INVENTORY);
    await deliver(
      consumerHandler(inventoryConsumer, inventoryConfigFromEnv(reference.env), reference.env),
      INVENTORY_RECORDS,
    );
    const run = await consumerStack("redrive-eng", INVENTORY);
    const queueUrl = run.env.REJECTED_QUEUE_URL!;
    await deliver(
      consumerHandler(strictInventory, inventoryConfigFromEnv(run.env), run.env),
      INVENTORY_RECORDS,
    );
    const fixed = consumerHandler(inventoryConsumer, inventoryConfigFromEnv(run.env), run.env);
    const redrive = () =>
      redriveRejected({ sqs, queueUrl, consumer: "inventory", invoke: invokeHandler(fixed) });

    // The queue holds only what the engine wrote: no message of this test's making.
    const report = await redrive();

    expect(report.applied.map((c) => c.offset).sort()).toEqual([3, 6]);
    expect(report).toMatchObject({ matched: 2, rejectedAgain: [], notRedrivable: [], unfinished: [] });
    expect(await drainQueue(queueUrl)).toEqual([]);
    const redriven = await items(run.env.STATE_TABLE_NAME!);
    const want = await states(reference.env.STATE_TABLE_NAME!);
    // P-2's 300 comes back after its later snapshot: stale, so no sale, one more stale (docs/operations.md).
    const p2 = want["P-2"] as { staleIgnored: number };
    expect(await states(run.env.STATE_TABLE_NAME!)).toEqual({
      ...want,
      "P-2": { ...p2, staleIgnored: p2.staleIgnored + 1, recentSales: [] },
    });
    expect(Object.keys(redriven["P-1"]![REDRIVE_MARKERS_ATTRIBUTE])).toEqual(["theworldshop.inventory:0:6"]);
    expect(Object.keys(redriven["P-2"]![REDRIVE_MARKERS_ATTRIBUTE])).toEqual(["theworldshop.inventory:0:3"]);
    const alerts = await alertIds(run.inbox);
    expect(alerts).toEqual(await alertIds(reference.inbox));

    const again = await redrive();

    expect(again).toMatchObject({
      matched: 0,
      applied: [],
      rejectedAgain: [],
      notRedrivable: [],
      unfinished: [],
    });
    expect(await items(run.env.STATE_TABLE_NAME!)).toEqual(redriven);
    expect(await alertIds(run.inbox)).toEqual([]);
  });

  it("reports masked and cut records and never applies them; a record still invalid goes back with its new reason", async () => {
    const run = await consumerStack("redrive-bad", INVENTORY);
    const queueUrl = run.env.REJECTED_QUEUE_URL!;
    await postRejected(queueUrl, "inventory", stock(0, "P-9", 5, 0), "card number", { masked: true });
    await postRejected(queueUrl, "inventory", stock(1, "P-9", 6, 1), "too long", { truncateValueAt: 10 });
    const negative = {
      ...stock(2, "P-9", 7, 2),
      value: stock(2, "P-9", 7, 2).value!.replace('"quantity":7', '"quantity":-7'),
    };
    await postRejected(queueUrl, "inventory", negative, "schema: quantity: Too small");

    const report = await redriveRejected({
      sqs,
      queueUrl,
      consumer: "inventory",
      invoke: invokeHandler(consumerHandler(inventoryConsumer, inventoryConfigFromEnv(run.env), run.env)),
    });

    // The engine writes the record rejected again in format 2: this run leaves it alone, listed only as rejected again.
    const notRedrivable = report.notRedrivable.map(({ offset, why }) => [offset, why.split(":")[0]]);
    expect(notRedrivable).toEqual([
      [0, "masked"],
      [1, "truncated"],
    ]);
    expect(report.rejectedAgain).toEqual([
      {
        topic: "theworldshop.inventory",
        partition: 0,
        offset: 2,
        reason: expect.stringMatching(/^schema: quantity/),
      },
    ]);
    expect(report.applied).toEqual([]);
    expect(await items(run.env.STATE_TABLE_NAME!)).toEqual({});
    const left = await drainQueue<{ offset: number; format?: number }>(queueUrl);
    // The two that can never apply stay, and the invalid one is back once, as the engine wrote it again.
    expect(left.map((m) => m.offset).sort()).toEqual([0, 1, 2]);
  });
});
