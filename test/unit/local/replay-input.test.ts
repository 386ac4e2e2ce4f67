import { describe, expect, it } from "vitest";
import { parseReplayInput, ReplayInputError } from "../../../local/replay/input";

describe("the replay input", () => {
  it("serializes an object value, keeps a string value as raw bytes and a null value as a tombstone", () => {
    const records = parseReplayInput(
      [
        '{"topic":"t","key":"P-1","value":{"eventId":"e1","eventTime":"2026-11-20T23:03:00.000Z"}}',
        "",
        '{"topic":"t","key":"P-1","value":"{not json","partition":2}',
        '{"topic":"t","key":null,"value":null,"timestamp":"2026-11-20T23:04:00.000Z"}',
      ].join("\n"),
    );

    expect(records).toEqual([
      {
        line: 1,
        topic: "t",
        key: "P-1",
        value: '{"eventId":"e1","eventTime":"2026-11-20T23:03:00.000Z"}',
        partition: undefined,
        timestamp: Date.parse("2026-11-20T23:03:00.000Z"),
        eventTime: Date.parse("2026-11-20T23:03:00.000Z"),
      },
      {
        line: 3,
        topic: "t",
        key: "P-1",
        value: "{not json",
        partition: 2,
        timestamp: 0,
        eventTime: undefined,
      },
      {
        line: 4,
        topic: "t",
        key: null,
        value: null,
        partition: undefined,
        timestamp: Date.parse("2026-11-20T23:04:00.000Z"),
        eventTime: undefined,
      },
    ]);
  });

  it.each([
    ["not JSON", "{topic"],
    ["no topic", '{"key":"k","value":{}}'],
    ["no value", '{"topic":"t","key":"k"}'],
    ["a negative partition", '{"topic":"t","key":"k","value":{},"partition":-1}'],
    ["a bad timestamp", '{"topic":"t","key":"k","value":{},"timestamp":"yesterday"}'],
  ])("refuses a line with %s, naming the line", (_, line) => {
    const parse = () => parseReplayInput(`\n${line}\n`);

    expect(parse).toThrow(ReplayInputError);
    expect(parse).toThrow(/^line 2:/);
  });
});
