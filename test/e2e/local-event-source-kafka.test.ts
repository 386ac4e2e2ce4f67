import { randomUUID } from "node:crypto";
import type { MSKEvent } from "aws-lambda";
import { afterEach, describe, expect, inject, it } from "vitest";
import { KafkaLog } from "../../local/event-source/kafka-log";
import {
  firstOffset,
  offsetsDelivered,
  produceNumbered as produce,
  receiveFailureRecords,
  startScriptedConsumer,
} from "../support/local-event-source";
import { defineScript, offsetsOf } from "../support/local-handlers/scripts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function kafkaLog(): KafkaLog {
  const log = new KafkaLog(inject("endpoints").kafkaBrokers, "local-esm-e2e");
  cleanup.push(() => log.close());
  return log;
}

async function consumer(
  script: string,
  topic: string,
  group: string,
  log: KafkaLog,
  maximumRetryAttempts = 2,
) {
  const started = await startScriptedConsumer(
    { script, topic, group, batchSize: 5, maximumRetryAttempts },
    log,
  );
  cleanup.push(() => started.runtime.stop());
  return started;
}

describe("the local Kafka event source mapping on a real broker", () => {
  it("commits to the consumer group only after success; a killed consumer resumes from there", async () => {
    const topic = `theworldshop.e2e-${randomUUID().slice(0, 8)}`;
    const group = `esm-e2e-${randomUUID().slice(0, 8)}`;
    const log = kafkaLog();
    await produce(log, topic, 12);
    let entered = () => {};
    const inFlight = new Promise<void>((resolve) => {
      entered = resolve;
    });
    defineScript("kafka-killed", async (event) => {
      if (firstOffset(event) === 0) return;
      entered();
      await new Promise(() => {}); // never finishes: the consumer is killed meanwhile
    });
    const before = await consumer("kafka-killed", topic, group, log);

    await inFlight;
    await before.runtime.stop();
    const afterKill = kafkaLog();
    expect(await afterKill.committed(group, topic, 0)).toBe(5);
    const redelivered: MSKEvent[] = [];
    defineScript("kafka-restarted", (event) => {
      redelivered.push(event);
    });
    const after = await consumer("kafka-restarted", topic, group, afterKill);
    await after.runtime.caughtUp();

    expect(offsetsDelivered(redelivered)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(redelivered[0]).toMatchObject({
      eventSource: "SelfManagedKafka",
      bootstrapServers: inject("endpoints").kafkaBrokers.join(","),
    });
    expect(await kafkaLog().committed(group, topic, 0)).toBe(12);
  });

  it("sends a batch that used up its retries to the on-failure queue and moves past it", async () => {
    const topic = `theworldshop.e2e-${randomUUID().slice(0, 8)}`;
    const group = `esm-e2e-${randomUUID().slice(0, 8)}`;
    const log = kafkaLog();
    await produce(log, topic, 7);
    const attempts: number[] = [];
    defineScript("kafka-poison", (event) => {
      const offsets = offsetsOf(event).map(({ offset }) => offset);
      attempts.push(offsets[0]!);
      if (offsets.includes(2)) throw new Error("cannot process offset 2");
    });
    const { runtime, failedBatchesUrl } = await consumer("kafka-poison", topic, group, log, 1);

    await runtime.caughtUp();
    const failures = await receiveFailureRecords(failedBatchesUrl, 1);

    expect(attempts).toEqual([0, 0, 5]);
    expect(failures).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({
          condition: "RetryAttemptsExhausted",
          approximateInvokeCount: 2,
        }),
        KafkaBatchInfo: expect.objectContaining({
          batchSize: 5,
          recordsInfo: {
            [`${topic}-0`]: expect.objectContaining({ firstRecordOffset: "0", lastRecordOffset: "4" }),
          },
        }),
      }),
    ]);
    expect(await log.committed(group, topic, 0)).toBe(7);
  });
});
