import { randomUUID } from "node:crypto";
import type { MSKEvent } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { KafkaLog, type ReaderCrashedError } from "../../local/event-source/kafka-log";
import { type RunningKafka, startKafkaBroker } from "../../local/services/kafka-broker";
import { offsetsDelivered, produceNumbered, startScriptedConsumer } from "../support/local-event-source";
import { defineScript } from "../support/local-handlers/scripts";

// A broker of its own: this test stops it for as long as a consumer takes to crash, which the shared broker
// of the other e2e files must not see. (The one-hour chaos soak found a runtime whose consumers never fetched
// again after a kafkajs crash during broker restarts; docs/benchmarks.md, "Soak".)
describe("the local Kafka event source mapping when its kafkajs consumer crashes", () => {
  let broker: RunningKafka | undefined;
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
    await broker?.stop();
  });

  // A broker start, a crash after kafkajs's reconnection retries and a restart can take more than the tier's
  // two minutes on a busy machine.
  it("replaces the crashed consumer, reads on from the committed offset and commits to the end", async () => {
    broker = await startKafkaBroker();
    const crashes: ReaderCrashedError[] = [];
    let crashed = () => {};
    const firstCrash = new Promise<void>((resolve) => {
      crashed = resolve;
    });
    const log = new KafkaLog(broker.brokers, "reader-crash-e2e", {
      sessionTimeoutMs: 6_000,
      quiet: true,
      onReaderCrash: (error) => {
        crashes.push(error);
        crashed();
      },
    });
    cleanup.push(() => log.close());
    const topic = `theworldshop.crash-${randomUUID().slice(0, 8)}`;
    const group = `crash-e2e-${randomUUID().slice(0, 8)}`;
    await produceNumbered(log, topic, 10);
    const delivered: MSKEvent[] = [];
    defineScript("reader-crash", (event) => {
      delivered.push(event);
    });
    const { runtime } = await startScriptedConsumer({ script: "reader-crash", topic, group }, log);
    cleanup.push(() => runtime.stop());
    await runtime.caughtUp();
    expect(await log.committed(group, topic, 0)).toBe(10);

    // Down until the consumer gave up reconnecting and crashed (kafkajs: "Connection error: connect
    // ECONNREFUSED", after its retries), then back on the same log directory and port.
    await broker.restart(() => firstCrash);
    expect(crashes[0]).toMatchObject({ name: "ReaderCrashedError" });
    expect(crashes[0]!.message).toContain(`the Kafka consumer of ${group} on ${topic} crashed`);

    await produceNumbered(log, topic, 10);
    await runtime.caughtUp();

    // The records after the crash arrive through a new consumer; the ones before it are not read again.
    expect(offsetsDelivered(delivered)).toEqual(Array.from({ length: 20 }, (_, offset) => offset));
    expect(await log.committed(group, topic, 0)).toBe(20);
  }, 300_000);
});
