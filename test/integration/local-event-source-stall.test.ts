import type { MSKEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalRuntime } from "../../local/runtime";
import { describeStalls } from "../../local/runtime-stats";
import { produceNumbered, RecordingLog, startScriptedConsumer } from "../support/local-event-source";
import { defineScript, offsetsOf } from "../support/local-handlers/scripts";

const TOPIC = "theworldshop.test-stall";
const running: LocalRuntime[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((runtime) => runtime.stop()));
});

describe("the local Kafka event source mapping, as the stack configures it (never give up)", () => {
  it("retries a batch that failed 50 times in a row, commits nothing past it, applies it once when the fault clears", async () => {
    const log = new RecordingLog();
    await produceNumbered(log, TOPIC, 15);
    const outage = { on: true };
    const applied = new Map<number, number>();
    defineScript("outage", (event: MSKEvent) => {
      if (outage.on) throw new Error("DynamoDB is unavailable");
      for (const { offset } of offsetsOf(event)) applied.set(offset, (applied.get(offset) ?? 0) + 1);
    });
    const { runtime } = await startScriptedConsumer(
      {
        script: "outage",
        topic: TOPIC,
        group: "g",
        batchSize: 10,
        bisect: true,
        maximumRetryAttempts: -1,
        onFailureDestination: false,
      },
      log,
    );
    running.push(runtime);

    await expect
      .poll(() => runtime.stalls()[0]?.failures ?? 0, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(50);
    const [stall, ...others] = runtime.stalls();
    expect(others).toEqual([]);
    expect(stall).toMatchObject({ topic: TOPIC, partition: 0, offset: 0, reason: "DynamoDB is unavailable" });
    expect(stall!.failures).toBeGreaterThanOrEqual(50);
    expect(describeStalls([stall!])[0]).toMatch(
      new RegExp(`^${TOPIC}-0 stalled since ${stall!.since.toISOString()} \\(\\d+ s, offset 0, \\d+ failed`),
    );
    expect(log.commits).toEqual([]);
    expect(await log.committed("g", TOPIC, 0)).toBeUndefined();

    outage.on = false;
    await runtime.caughtUp();

    expect([...applied.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect([...applied.values()].every((times) => times === 1)).toBe(true);
    expect(log.commits.at(-1)).toBe(15);
    expect(runtime.stalls()).toEqual([]);
  });
});
