import { randomUUID } from "node:crypto";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createReadyTopics } from "../../local/kafka-topics";

describe("the local Kafka broker", () => {
  const kafka = new Kafka({
    clientId: "broker-test",
    brokers: [...inject("endpoints").kafkaBrokers],
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  afterAll(() => admin.disconnect());

  it("stores produced records in partitions and serves them back to a consumer group that commits offsets", async () => {
    const topic = `broker-test-${randomUUID()}`;
    const groupId = `${topic}-group`;
    await admin.connect();
    await createReadyTopics(admin, [topic], 3);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `P-${i % 7}`,
      value: JSON.stringify({ n: i }),
    }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received: { key: string; n: number; partition: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of 30 records arrived`)),
        60_000,
      );
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            received.push({
              key: message.key!.toString(),
              n: JSON.parse(message.value!.toString()).n,
              partition,
            });
            if (received.length === sent.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    expect(received.map((r) => r.n).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    // Records with one key land in one partition, in the order they were produced.
    for (const key of new Set(received.map((r) => r.key))) {
      const ofKey = received.filter((r) => r.key === key);
      expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
      expect(ofKey.map((r) => r.n)).toEqual([...ofKey.map((r) => r.n)].sort((a, b) => a - b));
    }
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(30);
  });
});
