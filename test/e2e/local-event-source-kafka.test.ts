import { randomUUID } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { MSKEvent } from "aws-lambda";
import { afterEach, describe, expect, inject, it } from "vitest";
import { KafkaLog } from "../../local/event-source/kafka-log";
import { drainQueue } from "../../local/queues";
import { createStackResources } from "../../local/resources";
import { LocalRuntime } from "../../local/runtime";
import { defineScript, offsetsOf, scriptedConsumerTemplate } from "../support/local-handlers/scripts";

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
  const template = scriptedConsumerTemplate({ script, topic, group, batchSize: 5, maximumRetryAttempts });
  const resources = await createStackResources(
    template,
    inject("endpoints"),
    `kafka-esm-${randomUUID().slice(0, 8)}`,
  );
  const runtime = new LocalRuntime({
    template,
    resources,
    endpoints: inject("endpoints"),
    log,
    retryDelayMs: () => 0,
  });
  cleanup.push(() => runtime.stop());
  await runtime.start();
  return { runtime, failedBatchesUrl: resources.byLogicalId.get("FailedBatches")!.ref };
}

async function produce(log: KafkaLog, topic: string, count: number) {
  await log.ensureTopic(topic, 2);
  await log.produce(
    topic,
    Array.from({ length: count }, (_, index) => ({
      key: `K-${index}`,
      value: JSON.stringify({ eventId: `E-${index}` }),
      partition: 0,
      timestamp: Date.parse("2026-11-20T23:03:00.000Z") + index,
    })),
  );
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
      if (offsetsOf(event)[0]!.offset === 0) return;
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

    expect(redelivered.flatMap((event) => offsetsOf(event).map(({ offset }) => offset))).toEqual([
      5, 6, 7, 8, 9, 10, 11,
    ]);
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
    const failures = await drainQueue(new SQSClient({}), failedBatchesUrl);

    expect(attempts).toEqual([0, 0, 5]);
    expect(failures.map((message) => JSON.parse(message.Body!))).toEqual([
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
