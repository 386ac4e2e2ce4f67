import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import type { MSKEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryLog } from "../../local/event-source/memory-log";
import type { LocalRuntime } from "../../local/runtime";
import {
  firstOffset as first,
  produceNumbered,
  RecordingLog,
  receiveFailureRecords,
  batchSizes as sizes,
  startScriptedConsumer,
} from "../support/local-event-source";
import { defineScript, offsetsOf, type ScriptedMappingProps } from "../support/local-handlers/scripts";

const TOPIC = "theworldshop.test-events";
const running: LocalRuntime[] = [];

async function startConsumer(props: Omit<ScriptedMappingProps, "topic" | "group">, log: MemoryLog) {
  const started = await startScriptedConsumer({ ...props, topic: TOPIC, group: "g" }, log);
  running.push(started.runtime);
  return started;
}

const produce = (log: MemoryLog, count: number, partition = 0) =>
  produceNumbered(log, TOPIC, count, partition);

afterEach(async () => {
  await Promise.all(running.splice(0).map((runtime) => runtime.stop()));
});

describe("the local Kafka event source mapping", () => {
  it("invokes the handler with the event AWS builds, BatchSize records at a time, in its own environment", async () => {
    const log = new MemoryLog();
    await produce(log, 25);
    const events: MSKEvent[] = [];
    const seen: { script?: string; functionName: string; remaining: number }[] = [];
    defineScript("shape", (event, context) => {
      events.push(event);
      seen.push({
        script: process.env.SCRIPT,
        functionName: context.functionName,
        remaining: context.getRemainingTimeInMillis(),
      });
    });
    const { runtime } = await startConsumer({ script: "shape", batchSize: 10, timeoutSeconds: 20 }, log);

    await runtime.caughtUp();

    expect(sizes(events)).toEqual([10, 10, 5]);
    const [event] = events;
    expect(event).toMatchObject({ eventSource: "SelfManagedKafka", bootstrapServers: log.bootstrapServers });
    const record = event!.records[`${TOPIC}-0`]![0]!;
    expect(record).toMatchObject({ topic: TOPIC, partition: 0, offset: 0, timestampType: "CREATE_TIME" });
    expect(Buffer.from(record.key, "base64").toString()).toBe("K-0");
    expect(JSON.parse(Buffer.from(record.value, "base64").toString())).toEqual({ eventId: "E-0" });
    expect(record.headers).toEqual([{ source: [...Buffer.from("test")] }]);
    expect(record.timestamp).toBe(Date.parse("2026-11-20T23:03:00.000Z"));
    expect(seen[0]).toMatchObject({ script: "shape", functionName: "Consumer" });
    expect(seen[0]!.remaining).toBeGreaterThan(0);
    expect(seen[0]!.remaining).toBeLessThanOrEqual(20_000);
    expect(await log.committed("g", TOPIC, 0)).toBe(25);
  });

  it("waits up to MaximumBatchingWindowInSeconds for a batch to fill", async () => {
    const log = new MemoryLog();
    await log.ensureTopic(TOPIC, 1);
    const events: MSKEvent[] = [];
    defineScript("window", (event) => {
      events.push(event);
    });
    const { runtime } = await startConsumer(
      { script: "window", batchSize: 5, batchingWindowSeconds: 300 },
      log,
    );

    await produce(log, 3);
    await produce(log, 2);
    await runtime.caughtUp();

    expect(sizes(events)).toEqual([5]);
  });

  it("invokes with fewer than BatchSize records once the batching window closes", async () => {
    const log = new MemoryLog();
    await log.ensureTopic(TOPIC, 1);
    const events: MSKEvent[] = [];
    defineScript("window-closes", (event) => {
      events.push(event);
    });
    const { runtime } = await startConsumer(
      { script: "window-closes", batchSize: 100, batchingWindowSeconds: 0.2 },
      log,
    );

    await produce(log, 3);
    await runtime.caughtUp();

    expect(sizes(events)).toEqual([3]);
  });

  it("retries a failing batch MaximumRetryAttempts times, sends it to the on-failure destination, moves on", async () => {
    const log = new RecordingLog();
    await produce(log, 15);
    const events: MSKEvent[] = [];
    defineScript("poison", (event) => {
      events.push(event);
      if (offsetsOf(event).some(({ offset }) => offset === 3)) throw new Error("cannot process offset 3");
    });
    const { runtime, failedBatchesUrl } = await startConsumer(
      { script: "poison", batchSize: 10, maximumRetryAttempts: 2, bisect: false },
      log,
    );

    await runtime.caughtUp();
    const [failure] = await receiveFailureRecords(failedBatchesUrl, 1);

    expect(events.map(first)).toEqual([0, 0, 0, 10]);
    expect(log.commits).toEqual([10, 15]);
    expect(failure).toMatchObject({
      requestContext: {
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 3,
        functionArn: expect.stringMatching(/^arn:aws:lambda:.*:function:Consumer$/),
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      KafkaBatchInfo: {
        batchSize: 10,
        bootstrapServers: log.bootstrapServers,
        recordsInfo: {
          [`${TOPIC}-0`]: {
            firstRecordOffset: "0",
            lastRecordOffset: "9",
            firstRecordTimestamp: "2026-11-20T23:03:00.000Z",
            lastRecordTimestamp: "2026-11-20T23:03:00.009Z",
          },
        },
      },
    });
    expect(Date.parse(failure!.timestamp)).not.toBeNaN();
  });

  it("bisects a failing batch until the poison record is alone, and gives up on that record only", async () => {
    const log = new RecordingLog();
    await produce(log, 8);
    const succeeded: number[] = [];
    const events: MSKEvent[] = [];
    defineScript("bisect", (event) => {
      events.push(event);
      const offsets = offsetsOf(event).map(({ offset }) => offset);
      if (offsets.includes(5)) throw new Error("cannot process offset 5");
      succeeded.push(...offsets);
    });
    const { runtime, failedBatchesUrl } = await startConsumer(
      { script: "bisect", batchSize: 8, maximumRetryAttempts: 10, bisect: true },
      log,
    );

    await runtime.caughtUp();
    const [failure] = await receiveFailureRecords(failedBatchesUrl, 1);

    expect(succeeded).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(sizes(events).slice(0, 5)).toEqual([8, 4, 4, 2, 1]);
    expect(failure!.KafkaBatchInfo).toMatchObject({
      batchSize: 1,
      recordsInfo: { [`${TOPIC}-0`]: { firstRecordOffset: "5", lastRecordOffset: "5" } },
    });
    expect(failure!.requestContext.approximateInvokeCount).toBe(11);
    expect(log.commits).toEqual([4, 5, 6, 8]);
  });

  it("honours a partial batch response: commits before the reported offset and redelivers from it", async () => {
    const log = new RecordingLog();
    await produce(log, 10);
    const events: MSKEvent[] = [];
    defineScript("partial", (event) => {
      events.push(event);
      if (events.length > 1) return { batchItemFailures: [] };
      return {
        batchItemFailures: [
          { itemIdentifier: { partition: `${TOPIC}-0`, offset: 6 } },
          { itemIdentifier: { partition: `${TOPIC}-0`, offset: 4 } },
        ],
      };
    });
    const { runtime } = await startConsumer({ script: "partial", batchSize: 10 }, log);

    await runtime.caughtUp();

    expect(events.map(first)).toEqual([0, 4]);
    expect(sizes(events)).toEqual([10, 6]);
    expect(log.commits).toEqual([4, 10]);
  });

  it("treats a malformed partial batch response as a failure of the whole batch", async () => {
    const log = new RecordingLog();
    await produce(log, 4);
    const events: MSKEvent[] = [];
    defineScript("malformed", (event) => {
      events.push(event);
      if (events.length > 1) return {};
      return { batchItemFailures: [{ itemIdentifier: { partition: "another-topic-0", offset: 2 } }] };
    });
    const { runtime } = await startConsumer({ script: "malformed", batchSize: 10 }, log);

    await runtime.caughtUp();

    expect(events.map(first)).toEqual([0, 0]);
    expect(log.commits).toEqual([4]);
  });

  it("commits nothing of a batch in flight; killed and restarted, it resumes from the last committed offset", async () => {
    const log = new RecordingLog();
    await produce(log, 10);
    let entered = () => {};
    const inFlight = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // What the dead invocation's AWS call ended with, once it was let go: awaited, not polled for a second.
    let reportDeath: (outcome: unknown) => void = () => {};
    const afterDeath = new Promise<unknown>((resolve) => {
      reportDeath = resolve;
    });
    defineScript("killed", async (event) => {
      if (first(event) === 0) return;
      entered();
      await gate;
      // The dead invocation's process is gone: it reaches AWS no more.
      reportDeath(
        await new DynamoDBClient({}).send(new ListTablesCommand({})).catch((error: Error) => error),
      );
    });
    const before = await startConsumer({ script: "killed", batchSize: 5 }, log);

    await inFlight;
    expect(await log.committed("g", TOPIC, 0)).toBe(5);
    await before.runtime.stop();
    release();
    await gate;
    const restartedWith: MSKEvent[] = [];
    defineScript("restarted", (event) => {
      restartedWith.push(event);
    });
    const after = await startConsumer({ script: "restarted", batchSize: 5 }, log);
    await after.runtime.caughtUp();

    expect(restartedWith.map(first)).toEqual([5]);
    expect(log.commits).toEqual([5, 10]);
    expect(((await afterDeath) as Error | undefined)?.name).toBe("HandlerCrashError");
  });

  it("asks for the committed offset and commits until the log answers, however long it refuses", async () => {
    // An embedded log standing in for a broker that restarts: the first 6 questions about the committed offset
    // and the first 6 commits fail, as kafkajs's do while the broker is down (the poller used to give a commit
    // up after 5 tries, and its partition was never polled again).
    class RefusingLog extends RecordingLog {
      readonly refused = { committed: 0, commit: 0 };
      override async committed(group: string, topic: string, partition: number) {
        if (this.refused.committed < 6 && ++this.refused.committed)
          throw new Error("Connection error: connect ECONNREFUSED");
        return super.committed(group, topic, partition);
      }
      override async commit(group: string, topic: string, partition: number, nextOffset: number) {
        if (this.refused.commit < 6 && ++this.refused.commit)
          throw new Error("Connection error: connect ECONNREFUSED");
        await super.commit(group, topic, partition, nextOffset);
      }
    }
    const log = new RefusingLog();
    await produce(log, 12);
    const delivered: MSKEvent[] = [];
    defineScript("refused", (event) => {
      delivered.push(event);
    });
    const { runtime } = await startConsumer({ script: "refused", batchSize: 5 }, log);

    await runtime.caughtUp();

    expect(delivered.map(first)).toEqual([0, 5, 10]);
    expect(log.commits).toEqual([5, 10, 12]);
    expect(log.refused).toEqual({ committed: 6, commit: 6 });
  });

  it("processes the partitions of a topic concurrently, each in offset order", async () => {
    const log = new MemoryLog();
    await log.ensureTopic(TOPIC, 2);
    await produce(log, 6, 0);
    await produce(log, 6, 1);
    let partitionOneStarted = () => {};
    const partitionOne = new Promise<void>((resolve) => {
      partitionOneStarted = resolve;
    });
    const delivered: Record<number, number[]> = { 0: [], 1: [] };
    defineScript("concurrent", async (event) => {
      const records = offsetsOf(event);
      const partition = records[0]!.partition;
      if (partition === 1) partitionOneStarted();
      // Partition 0 waits for partition 1: were partitions taken one at a time, this would never finish.
      else await partitionOne;
      delivered[partition]!.push(...records.map(({ offset }) => offset));
    });
    const { runtime } = await startConsumer({ script: "concurrent", batchSize: 2 }, log);

    await runtime.caughtUp();

    expect(delivered).toEqual({ 0: [0, 1, 2, 3, 4, 5], 1: [0, 1, 2, 3, 4, 5] });
  });
});
