import { createHash, randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { MSKEvent } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import type { RejectedPart, RejectedRecord } from "../../functions/shared/engine/types";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { drainQueue } from "../support/alert-inbox";
import { createEngineTestStack, type EngineTestStack } from "../support/engine-stack";
import { invocation, tallyHandler, tallyRecord } from "../support/tally-engine";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const topic = "theworldshop.tally";
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A record delivered with exactly these key and value bytes (null: none / tombstone). */
interface ByteRecord {
  readonly offset: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
}

/** The MSK event of `records`, with the byte records' key and value replaced by their raw bytes. */
function eventWithBytes(records: readonly RawKafkaRecord[], bytes: readonly ByteRecord[]): MSKEvent {
  const placeholders = bytes.map(({ offset }) => ({ topic, partition: 0, offset, key: "-", value: "-" }));
  const event = buildKafkaEvent([...records, ...placeholders]);
  for (const { offset, key, value } of bytes) {
    const delivered = event.records[`${topic}-0`]!.find((r) => r.offset === offset)!;
    if (key === null) delete (delivered as { key?: string }).key;
    else delivered.key = Buffer.from(key).toString("base64");
    delivered.value = value === null ? (null as unknown as string) : Buffer.from(value).toString("base64");
  }
  return event;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

/** The bytes a rejected part carries, decoded from its encoding. */
const carried = (part: RejectedPart) =>
  Buffer.from(part.data, part.encoding === "base64" ? "base64" : "utf8");

function expectPart(part: RejectedPart | null, original: Uint8Array, encoding: "utf8" | "base64") {
  expect(part).toMatchObject({
    encoding,
    bytes: original.length,
    sha256: sha256(original),
    truncated: false,
  });
  expect(carried(part!).equals(Buffer.from(original))).toBe(true);
}

async function stateOf(stack: EngineTestStack, pk: string) {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: stack.stateTable, Key: { pk }, ConsistentRead: true }),
  );
  return Item;
}

describe("rejected records SQS must always accept", () => {
  let stack: EngineTestStack;
  beforeEach(async () => {
    stack = await createEngineTestStack();
  });

  it("sends records with characters SQS refuses, invalid UTF-8, a 180 KB key and 64 KB binary values in format 2, and applies the healthy records around them", async () => {
    const refusedChars = utf8('{"eventId":"e-1","account":"A\uFFFF","amount":"\uFFFE"}');
    const emoji = utf8('{"eventId":"e-2","account":"🛒","amount":"🛒"}');
    const nulBytes = new Uint8Array([0x7b, 0x00, 0x00, 0x7d]);
    const ffBytes = new Uint8Array([0xff, 0xff, 0x7b, 0x7d]);
    const hugeKey = new Uint8Array(180 * 1024);
    const hugeValue = new Uint8Array(200 * 1024);
    const binaries = [randomBytes(64 * 1024), randomBytes(64 * 1024), randomBytes(64 * 1024)].map((b) => {
      b[0] = 0xff; // never valid UTF-8
      return new Uint8Array(b);
    });
    const bytes: ByteRecord[] = [
      { offset: 1, key: utf8("k\uFFFE"), value: refusedChars },
      { offset: 2, key: utf8("🛒"), value: emoji },
      { offset: 3, key: new Uint8Array([0x00, 0x41]), value: nulBytes },
      { offset: 4, key: new Uint8Array([0xff]), value: ffBytes },
      { offset: 5, key: hugeKey, value: null },
      ...binaries.map((value, i) => ({ offset: 6 + i, key: utf8(`bin-${i}`), value })),
      { offset: 9, key: hugeKey, value: hugeValue },
    ];
    const event = eventWithBytes(
      [tallyRecord(topic, 0, 0, "A", 1), tallyRecord(topic, 0, 10, "A", 2), tallyRecord(topic, 1, 0, "B", 5)],
      bytes,
    );

    const response = await tallyHandler(stack)(event, invocation);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await stateOf(stack, "A")).toMatchObject({ state: { total: 3 }, "f:theworldshop.tally:0": 10 });
    expect(await stateOf(stack, "B")).toMatchObject({ state: { total: 5 } });
    const rejected = (await drainQueue<RejectedRecord>(stack.rejectedQueueUrl)).sort(
      (a, b) => a.offset - b.offset,
    );
    expect(rejected.map((r) => r.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const message of rejected) {
      expect(message).toMatchObject({ format: 2, consumer: "tally", topic, partition: 0, masked: false });
      expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(256 * 1024);
    }
    const [chars, emojis, nul, ff, huge, ...rest] = rejected;
    const bins = rest.slice(0, 3);
    const both = rest[3]!;
    expectPart(chars!.key, utf8("k\uFFFE"), "base64");
    expectPart(chars!.value, refusedChars, "base64");
    expect(chars!.reason).toMatch(/^schema: amount/);
    expectPart(emojis!.key, utf8("🛒"), "base64");
    expectPart(emojis!.value, emoji, "base64");
    expectPart(nul!.key, new Uint8Array([0x00, 0x41]), "base64");
    expectPart(nul!.value, nulBytes, "base64");
    expect(nul!.reason).toMatch(/^bad JSON/);
    expectPart(ff!.key, new Uint8Array([0xff]), "base64");
    expectPart(ff!.value, ffBytes, "base64");
    expect(ff!.reason).toBe("invalid UTF-8 in the record's key: rejected, not repaired");
    // 180 KB of NUL bytes: base64 (NUL is refused), 240 KB, still within a message.
    expectPart(huge!.key, hugeKey, "base64");
    expect(huge).toMatchObject({ value: null, reason: "null value (tombstone): nothing to apply" });
    bins.forEach((message, i) => {
      expectPart(message.key, utf8(`bin-${i}`), "utf8");
      expectPart(message.value, binaries[i]!, "base64");
      expect(message.reason).toBe("invalid UTF-8 in the record's value: rejected, not repaired");
    });
    // 180 KB key and 200 KB value: both cut by bytes, their full length and hash of the original kept.
    for (const [part, original] of [
      [both.key, hugeKey],
      [both.value, hugeValue],
    ] as const) {
      expect(part).toMatchObject({
        encoding: "base64",
        bytes: original.length,
        sha256: sha256(original),
        truncated: true,
      });
      const kept = carried(part!);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(original.length);
      expect(kept.equals(Buffer.from(original.subarray(0, kept.length)))).toBe(true);
    }
  });

  it("rejects sellers Caf\\xE9 and Caf\\xE8 apart, never merged into one Caf\\uFFFD", async () => {
    const seller = (last: number, eventId: string) =>
      new Uint8Array([
        ...Buffer.from(`{"eventId":"${eventId}","account":"Caf`),
        last,
        ...Buffer.from('","amount":1}'),
      ]);
    const event = eventWithBytes(
      [tallyRecord(topic, 0, 2, "Cafe", 1)],
      [
        { offset: 0, key: new Uint8Array([0x43, 0x61, 0x66, 0xe9]), value: seller(0xe9, "e-0") },
        { offset: 1, key: new Uint8Array([0x43, 0x61, 0x66, 0xe8]), value: seller(0xe8, "e-1") },
      ],
    );

    const response = await tallyHandler(stack)(event, invocation);

    expect(response).toEqual({ batchItemFailures: [] });
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: stack.stateTable }));
    expect(Items.map((item) => item.pk)).toEqual(["Cafe"]);
    const rejected = (await drainQueue<RejectedRecord>(stack.rejectedQueueUrl)).sort(
      (a, b) => a.offset - b.offset,
    );
    expect(rejected.map((r) => [r.offset, r.reason])).toEqual([
      [0, "invalid UTF-8 in the record's key: rejected, not repaired"],
      [1, "invalid UTF-8 in the record's key: rejected, not repaired"],
    ]);
    expectPart(rejected[0]!.value, seller(0xe9, "e-0"), "base64");
    expectPart(rejected[1]!.value, seller(0xe8, "e-1"), "base64");
    expect(rejected[0]!.key!.sha256).not.toBe(rejected[1]!.key!.sha256);
  });

  it("masks a card number in bytes that are not UTF-8 before they go on the queue as base64", async () => {
    const leaking = new Uint8Array([0xff, ...Buffer.from(" 4111 1111 1111 1111")]);
    const event = eventWithBytes([], [{ offset: 0, key: utf8("k"), value: leaking }]);

    // The engine screens every consumer: the tally consumer has no screen of its own.
    await tallyHandler(stack)(event, invocation);

    const [message] = await drainQueue<RejectedRecord>(stack.rejectedQueueUrl);
    expect(message).toMatchObject({ offset: 0, masked: true, value: { encoding: "base64" } });
    const text = carried(message!.value!).toString("latin1");
    expect(text).toContain("**** **** **** 1111");
    expect(text.replace(/\D/g, "")).not.toContain("4111111111111111");
  });
});
