import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { KafkaLog } from "../../local/event-source/kafka-log";

// The event source mapping, the lag probe and the simulator ask one log for partition counts, committed and
// beginning/end offsets of several topics at once; kafkajs's admin shares one metadata cache between them.
describe("the Kafka log's admin answers concurrent questions about several topics", () => {
  const brokers = inject("endpoints").kafkaBrokers;
  const topics = Array.from({ length: 8 }, (_, i) => `admin-race-${i}-${randomUUID()}`);
  const logs: KafkaLog[] = [];
  afterAll(async () => {
    await Promise.all(logs.map((log) => log.close()));
  });
  function kafkaLog(): KafkaLog {
    const log = new KafkaLog(brokers, `admin-race-${randomUUID()}`);
    logs.push(log);
    return log;
  }

  it("gives every topic its own partition count and offsets, whatever else is asked at the same time", async () => {
    const setup = kafkaLog();
    for (const [i, topic] of topics.entries()) {
      await setup.ensureTopic(topic, i + 2);
      // Topic i gets i + 1 records in partition 0.
      await setup.produce(
        topic,
        Array.from({ length: i + 1 }, (_, n) => ({ key: null, value: `${n}`, partition: 0 })),
      );
    }

    for (let round = 0; round < 10; round++) {
      // A new log has an empty metadata cache, as a freshly started runtime does. Offsets are asked while
      // partition counts of other topics are asked one after another, as the mapping starts its pollers.
      const log = kafkaLog();
      const counts = (async () => {
        const found: number[] = [];
        for (const topic of topics) {
          found.push(await log.partitionCount(topic));
          await new Promise((resolve) => setImmediate(resolve));
        }
        return found;
      })();
      const answers = await Promise.all(
        topics.map((topic) =>
          Promise.all([
            log.endOffsets(topic),
            log.beginningOffsets(topic),
            log.committed(`group-${topic}`, topic, 0),
          ]),
        ),
      );
      expect(await counts).toEqual(topics.map((_, i) => i + 2));
      for (const [i, [ends, beginnings, committed]] of answers.entries()) {
        expect(ends).toEqual([i + 1, ...Array.from({ length: i + 1 }, () => 0)]);
        expect(beginnings).toEqual(Array.from({ length: i + 2 }, () => 0));
        expect(committed).toBeUndefined();
      }
      await log.close();
    }
  });
});
