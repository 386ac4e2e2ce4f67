import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { velocityAlertId } from "../../../functions/card-velocity/reducer";
import type { FraudSignal } from "../../../functions/card-velocity/schema";
import type { RawKafkaRecord } from "../../../local/kafka-event";
import { drainQueue } from "../../support/alert-inbox";
import { payment } from "../../unit/card-velocity/fold";
import { cardVelocityStack, FRAUD_SIGNALS, fraudSignalRecord } from "./stack";

const CARD_A = "fp_card_a_000001";
const CARD_B = "fp_card_b_000002";
const CARD_C = "fp_card_c_000003";
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const on = (card: string, ids: string[], seconds: number[]) =>
  ids.map((id, i) => payment(id, seconds[i]!, card));
// Partition 0 holds cards A and C interleaved, partition 1 card B, in offset order.
const partition0: FraudSignal[] = [
  ...on(CARD_A, ["a-1", "a-2", "a-3"], [0, 5, 10]),
  ...on(CARD_C, ["c-1", "c-2", "c-3"], [0, 1, 2]),
  ...on(CARD_A, ["a-4", "a-5", "a-6", "a-7"], [15, 20, 25, 30]),
  { ...payment("a-3", 10, CARD_A), eventId: "evt-a-3-resent" }, // a producer duplicate at a new offset
  payment("a-late", 28, CARD_A), // out of event-time order: its window (−32, 28] holds a-1..a-6
  ...on(CARD_C, ["c-4", "c-5", "c-6"], [3, 4, 5]),
  payment("a-quiet", 200, CARD_A), // ends A's burst
  ...on(CARD_A, ["a-8", "a-9", "a-10", "a-11", "a-12"], [201, 202, 203, 204, 205]),
];
const partition1 = on(CARD_B, ["b-1", "b-2", "b-3", "b-4", "b-5", "b-6"], [0, 10, 20, 30, 40, 65]);
const RECORDS: RawKafkaRecord[] = [
  ...partition0.map((value, offset) => fraudSignalRecord(0, offset + 100, value)),
  ...partition1.map((value, offset) => fraudSignalRecord(1, offset + 40, value)),
];
const EXPECTED_FLAGS = [
  { transactionId: "a-12", count: 6 },
  { transactionId: "a-6", count: 6 },
  { transactionId: "a-7", count: 7 },
  { transactionId: "a-late", count: 7 },
  { transactionId: "c-6", count: 6 },
];
const EXPECTED_ALERTS = [
  velocityAlertId(CARD_A, "a-6"),
  velocityAlertId(CARD_A, "a-12"),
  velocityAlertId(CARD_C, "c-6"),
].sort();

async function cardWindows(stateTable: string) {
  const { Items = [] } = await dynamodb.send(
    new ScanCommand({ TableName: stateTable, ConsistentRead: true }),
  );
  return Items.map(({ pk, state }) => ({ pk, state })).sort((a, b) =>
    String(a.pk).localeCompare(String(b.pk)),
  );
}

async function flags(decisionsTable: string) {
  const { Items = [] } = await dynamodb.send(
    new ScanCommand({ TableName: decisionsTable, ConsistentRead: true }),
  );
  return Items.sort((a, b) => String(a.transactionId).localeCompare(String(b.transactionId)));
}

describe("card velocity through the exactly-once engine", () => {
  it("flags the same transactions and raises the same alerts whether delivered once, re-batched or redelivered", async () => {
    const once = await cardVelocityStack("card-velocity-once");
    const redelivered = await cardVelocityStack("card-velocity-redelivered");

    await once.deliver(RECORDS);
    // Batches of 1, 2 and 3 records, a retried overlapping batch, then the whole topic again in batches of 4.
    const chunks: RawKafkaRecord[][] = [];
    for (let at = 0, size = 1; at < RECORDS.length; at += size, size = (size % 3) + 1) {
      chunks.push(RECORDS.slice(at, at + size));
    }
    chunks.splice(4, 0, RECORDS.slice(2, 9));
    for (let at = 0; at < RECORDS.length; at += 4) chunks.push(RECORDS.slice(at, at + 4));
    for (const chunk of chunks) await redelivered.deliver(chunk);

    const expectedFlags = EXPECTED_FLAGS.map((flag) => ({ ...flag, decision: "FLAGGED" }));
    const onceFlags = await flags(once.environment.SIDE_TABLE_DECISIONS!);
    expect(onceFlags).toEqual(expectedFlags.map((flag) => expect.objectContaining(flag)));
    expect(await flags(redelivered.environment.SIDE_TABLE_DECISIONS!)).toEqual(onceFlags);
    expect(await cardWindows(redelivered.environment.STATE_TABLE_NAME!)).toEqual(
      await cardWindows(once.environment.STATE_TABLE_NAME!),
    );
    const onceAlerts = await once.alerts();
    expect(onceAlerts.map((alert) => alert.alertId)).toEqual(EXPECTED_ALERTS);
    expect(await redelivered.alerts()).toEqual(onceAlerts);
  });

  it("publishes one critical CARD_VELOCITY alert per burst, about the card", async () => {
    const { deliver, alerts } = await cardVelocityStack("card-velocity-alert");

    await deliver(RECORDS.filter((record) => record.value?.includes(CARD_C)));

    expect(await alerts()).toEqual([
      expect.objectContaining({
        alertId: velocityAlertId(CARD_C, "c-6"),
        alertType: "CARD_VELOCITY",
        severity: "critical",
        subjectId: CARD_C,
        eventTime: "2026-12-01T12:00:05.000Z",
        details: expect.objectContaining({ transactionId: "c-6", orderId: "order-c-6", count: 6 }),
      }),
    ]);
  });
});

describe("a fraud signal that holds a card number", () => {
  const CARD_NUMBER = "4111 1111 1111 1111";
  const CARD_DIGITS = "4111111111111111";
  const written: string[] = [];

  beforeEach(() => {
    written.length = 0;
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(process.stderr, "write").mockImplementation(capture);
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        written.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is rejected with its coordinates and masked, nowhere logged in full, and the partition goes on", async () => {
    const { environment, deliver } = await cardVelocityStack("card-velocity-card-number");
    const leaking = { ...payment("tx-leak", 0, CARD_A), orderId: `order ${CARD_NUMBER}` };
    const next = payment("tx-next", 1, CARD_A);

    await deliver([fraudSignalRecord(0, 7, leaking), fraudSignalRecord(0, 8, next)]);

    const rejectedRecords = await drainQueue(environment.REJECTED_QUEUE_URL!);
    expect(rejectedRecords).toHaveLength(1);
    const rejected = rejectedRecords[0]!;
    expect(rejected).toMatchObject({
      topic: FRAUD_SIGNALS,
      partition: 0,
      offset: 7,
      reason: expect.stringMatching(/card number/),
    });
    expect(rejected).toMatchObject({ format: 2, masked: true, value: { encoding: "utf8" } });
    expect((rejected.value as { data: string }).data).toContain('"orderId":"order **** **** **** 1111"');
    expect(written.join("\n")).toMatch(/"message":"record rejected".*"offset":7/);
    const everything = [JSON.stringify(rejected), ...written].join("\n");
    expect(everything).not.toContain(CARD_NUMBER);
    expect(everything.replace(/[ -]/g, "")).not.toContain(CARD_DIGITS);
    const { Item } = await dynamodb.send(
      new GetCommand({ TableName: environment.STATE_TABLE_NAME, Key: { pk: CARD_A }, ConsistentRead: true }),
    );
    expect(Item?.state.transactions).toEqual([{ transactionId: "tx-next", at: Date.parse(next.eventTime) }]);
  });

  it("is masked in the rejected record's key too when the producer keyed it by the card number", async () => {
    const { environment, deliver } = await cardVelocityStack("card-velocity-card-key");
    const keyedByCard = { ...payment("tx-keyed", 0, CARD_A), cardFingerprint: CARD_DIGITS };

    await deliver([fraudSignalRecord(0, 3, keyedByCard, CARD_DIGITS)]);

    const [rejected] = await drainQueue(environment.REJECTED_QUEUE_URL!);
    expect(rejected).toMatchObject({
      offset: 3,
      masked: true,
      key: { encoding: "utf8", data: "************1111" },
    });
    expect((rejected!.value as { data: string }).data).toContain('"cardFingerprint":"************1111"');
    expect([JSON.stringify(rejected), ...written].join("\n")).not.toContain(CARD_DIGITS);
  });
});
