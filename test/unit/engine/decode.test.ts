import type { MSKEvent, SelfManagedKafkaEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { decodeKafkaEvent, partitionName } from "../../../functions/shared/engine/decode";
import { buildKafkaEvent } from "../../../local/kafka-event";
import mskEvent from "../../events/msk-event.json";
import selfManagedEvent from "../../events/self-managed-kafka-event.json";

const inventoryValue = (eventId: string, productId: string, quantity: number) =>
  JSON.stringify({ eventId, productId, quantity, eventTime: "2026-11-20T23:03:12Z" });

describe("decoding a Kafka event", () => {
  it("decodes an MSK event: base64 key and value, header byte arrays as text, offsets in order per partition", () => {
    const records = decodeKafkaEvent(mskEvent as unknown as MSKEvent);

    expect(records.map((r) => `${partitionName(r)}@${r.offset}`)).toEqual([
      "theworldshop.inventory-0@15",
      "theworldshop.inventory-0@16",
      "theworldshop.inventory-1@4",
      "theworldshop.inventory-1@5",
    ]);
    expect(records[0]).toMatchObject({
      topic: "theworldshop.inventory",
      partition: 0,
      offset: 15,
      key: "P-1",
      rawValue: inventoryValue("e-15", "P-1", 3),
      timestamp: 1795734192015,
      headers: {
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        source: "warehouse-7",
      },
      eventKey: "theworldshop.inventory-0",
    });
    expect(records[1]).toMatchObject({ key: "P-2", rawValue: inventoryValue("e-16", "P-2", 0), headers: {} });
  });

  it("gives a record without a key the key null and a tombstone the value null", () => {
    const records = decodeKafkaEvent(mskEvent as unknown as MSKEvent);

    expect(records[2]).toMatchObject({ offset: 4, key: null, rawValue: inventoryValue("e-4", "P-3", 12) });
    expect(records[3]).toMatchObject({ offset: 5, key: "P-3", rawValue: null });
  });

  it("decodes a self-managed Kafka event the same way", () => {
    const records = decodeKafkaEvent(selfManagedEvent as unknown as SelfManagedKafkaEvent);

    expect(records).toMatchObject([
      {
        topic: "theworldshop.inventory",
        partition: 0,
        offset: 7,
        key: "P-1",
        rawValue: inventoryValue("e-7", "P-1", 9),
        timestamp: 1795734192007,
        headers: { source: "warehouse-7" },
        eventKey: "theworldshop.inventory-0",
      },
    ]);
  });

  it("orders records by offset within each partition however the event lists them", () => {
    const event = buildKafkaEvent([
      { topic: "t", partition: 1, offset: 3, key: "b", value: "{}" },
      { topic: "t", partition: 0, offset: 9, key: "a", value: "{}" },
      { topic: "t", partition: 1, offset: 2, key: "b", value: "{}" },
      { topic: "t", partition: 0, offset: 8, key: "a", value: "{}" },
    ]);
    // The event source mapping sends offset order; shuffle one partition to prove the engine does not rely on it.
    event.records["t-0"]!.reverse();

    const records = decodeKafkaEvent(event);

    expect(records.map((r) => [r.partition, r.offset])).toEqual([
      [0, 8],
      [0, 9],
      [1, 2],
      [1, 3],
    ]);
  });

  it("decodes UTF-8 keys, values and headers that are not ASCII", () => {
    const event = buildKafkaEvent([
      {
        topic: "t",
        partition: 0,
        offset: 0,
        key: "mug-Ø",
        value: '{"name":"Tasse ☕"}',
        headers: { lang: "dé" },
      },
    ]);

    const [record] = decodeKafkaEvent(event);

    expect(record).toMatchObject({ key: "mug-Ø", rawValue: '{"name":"Tasse ☕"}', headers: { lang: "dé" } });
  });

  it("marks a value that is not valid UTF-8 undecodable and keeps its bytes, never replacing them", () => {
    const event = withBytes(
      buildKafkaEvent([{ topic: "t", partition: 0, offset: 0, key: "k", value: "x" }]),
      {
        value: [0x43, 0x61, 0x66, 0xe9],
      },
    );

    const [record] = decodeKafkaEvent(event);

    expect(record).toMatchObject({ key: "k", rawValue: null, undecodable: "value" });
    expect([...record!.valueBytes!]).toEqual([0x43, 0x61, 0x66, 0xe9]);
  });

  it("marks a key that is not valid UTF-8 undecodable, so Caf\\xE9 and Caf\\xE8 stay two keys", () => {
    const event = buildKafkaEvent([
      { topic: "t", partition: 0, offset: 0, key: "a", value: "{}" },
      { topic: "t", partition: 0, offset: 1, key: "b", value: "{}" },
    ]);
    const [first, second] = event.records["t-0"]!;
    first!.key = Buffer.from([0x43, 0x61, 0x66, 0xe9]).toString("base64");
    second!.key = Buffer.from([0x43, 0x61, 0x66, 0xe8]).toString("base64");

    const records = decodeKafkaEvent(event);

    expect(records.map((r) => [r.key, r.undecodable, Buffer.from(r.keyBytes!).toString("hex")])).toEqual([
      [null, "key", "436166e9"],
      [null, "key", "436166e8"],
    ]);
  });

  it("keeps a header value that is not valid UTF-8 as base64 and names it, without rejecting the record", () => {
    const event = buildKafkaEvent([{ topic: "t", partition: 0, offset: 0, key: "k", value: "{}" }]);
    event.records["t-0"]![0]!.headers = [{ trace: [0xff, 0x00, 0x41] }, { lang: [...Buffer.from("dé")] }];

    const [record] = decodeKafkaEvent(event);

    expect(record).toMatchObject({
      headers: { trace: Buffer.from([0xff, 0x00, 0x41]).toString("base64"), lang: "dé" },
      binaryHeaders: ["trace"],
    });
    expect(record!.undecodable).toBeUndefined();
  });

  it("decodes an event without records to nothing", () => {
    expect(decodeKafkaEvent({ eventSource: "aws:kafka", records: {} } as unknown as MSKEvent)).toEqual([]);
  });
});

/** The event with the first record's value replaced by raw bytes, as a producer may send them. */
function withBytes(event: MSKEvent, bytes: { value: number[] }): MSKEvent {
  const [first] = Object.values(event.records)[0]!;
  first!.value = Buffer.from(bytes.value).toString("base64");
  return event;
}
