import { parseArgs } from "node:util";
import {
  compatibilityPartitioner,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Consumer as PlatformaticConsumer,
  Producer as PlatformaticProducer,
  ProduceAcks,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { partitionForKey } from "../local/event-source/murmur2";
import { createReadyTopics } from "../local/kafka-topics";
import { startKafkaBroker } from "../local/services/kafka-broker";
import { CUSTOMERS, cardFingerprint, PRODUCTS } from "../local/simulator/catalog";

// `npx tsx bench/kafka-clients.ts [--records N] [--batch N] [--inflight N] [--clients kafkajs,platformatic]`:
// kafkajs against @platformatic/kafka on the local broker; produce (acks=all) then consume through a group.
const CLIENTS = ["kafkajs", "platformatic"] as const;
type ClientName = (typeof CLIENTS)[number];
const PARTITIONS = 6;
const USAGE =
  "usage: npx tsx bench/kafka-clients.ts [--records N (200000)] [--batch N (1000)] [--inflight N (5)] " +
  `[--clients ${CLIENTS.join(",")}]`;

let values: { records: string; batch: string; inflight: string; clients: string };
try {
  ({ values } = parseArgs({
    options: {
      records: { type: "string", default: "200000" },
      batch: { type: "string", default: "1000" },
      inflight: { type: "string", default: "5" },
      clients: { type: "string", default: CLIENTS.join(",") },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(2);
}
const positive = (name: "records" | "batch" | "inflight") => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got "${values[name]}"\n${USAGE}`);
    process.exit(2);
  }
  return value;
};
const count = positive("records");
const send = { batch: positive("batch"), inflight: positive("inflight") };
const clients = values.clients.split(",").map((name) => {
  if (!(CLIENTS as readonly string[]).includes(name)) {
    console.error(`--clients takes some of ${CLIENTS.join(", ")}, got "${name}"\n${USAGE}`);
    process.exit(2);
  }
  return name as ClientName;
});

interface BenchRecord {
  readonly key: string;
  readonly value: string;
}

/** What a consumer hands over per record: the check that every record came back once, where murmur2 put it. */
type Seen = (key: string, partition: number, value: string) => void;

interface Client {
  /** Resolves with the time (`performance.now()`) the last batch was acknowledged, before the producer closes. */
  produce(topic: string, records: readonly BenchRecord[]): Promise<number>;
  /** Resolves once `done()` says every record was seen. */
  consume(topic: string, group: string, seen: Seen, done: Promise<void>): Promise<void>;
}

/** An ORDER_PLACED like the simulator's orders topic carries, with the order's line and card (~300 bytes). */
function orderRecord(n: number): BenchRecord {
  const product = PRODUCTS[n % PRODUCTS.length]!;
  const customerId = CUSTOMERS[(n * 7) % CUSTOMERS.length]!;
  const orderId = `O-${n + 1}`;
  const value = {
    eventId: `evt-${n + 1}`,
    type: "ORDER_PLACED",
    orderId,
    sellerId: product.sellerId,
    customerId,
    amount: { value: product.price, currency: product.currency },
    lines: [{ productId: product.productId, productName: product.name, quantity: 1 + (n % 3) }],
    cardFingerprint: cardFingerprint(customerId),
    eventTime: new Date(Date.UTC(2026, 10, 20, 23) + n * 10).toISOString(),
  };
  return { key: orderId, value: JSON.stringify(value) };
}

/** Sends `records` in batches of `send.batch`, `send.inflight` requests at a time; resolves when all are acked. */
async function inBatches(
  records: readonly BenchRecord[],
  sendBatch: (batch: BenchRecord[]) => Promise<unknown>,
) {
  let next = 0;
  const lane = async () => {
    while (next < records.length) {
      const from = next;
      next += send.batch;
      await sendBatch(records.slice(from, next));
    }
  };
  await Promise.all(Array.from({ length: send.inflight }, lane));
  return performance.now();
}

function kafkajsClient(brokers: string[]): Client {
  const kafka = new Kafka({ clientId: "bench-kafkajs", brokers, logLevel: logLevel.ERROR });
  return {
    async produce(topic, records) {
      // As KafkaLog's producer: not idempotent (kafkajs's default), the Java client's partitioner.
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      try {
        return await inBatches(records, (messages) => producer.send({ topic, acks: -1, messages }));
      } finally {
        await producer.disconnect();
      }
    },
    async consume(topic, group, seen, done) {
      const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: PARTITIONS,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages)
              seen(String(message.key), batch.partition, message.value?.toString("utf8") ?? "");
          },
        });
        await done;
      } finally {
        await consumer.disconnect();
      }
    },
  };
}

function platformaticClient(brokers: string[]): Client {
  return {
    async produce(topic, records) {
      // Its default partitioner is murmur2 >>> 0, not the Java client's (murmur2 & 0x7fffffff): see the report.
      const producer = new PlatformaticProducer({
        clientId: "bench-platformatic",
        bootstrapBrokers: brokers,
        serializers: stringSerializers,
        acks: ProduceAcks.ALL,
        idempotent: false,
        partitioner: compatibilityPartitioner,
      });
      try {
        return await inBatches(records, (batch) =>
          producer.send({ messages: batch.map(({ key, value }) => ({ topic, key, value })) }),
        );
      } finally {
        await producer.close();
      }
    },
    async consume(topic, group, seen, done) {
      const consumer = new PlatformaticConsumer({
        clientId: "bench-platformatic",
        bootstrapBrokers: brokers,
        groupId: group,
        deserializers: stringDeserializers,
        maxWaitTime: 100,
        autocommit: false,
        // kafkajs's fetch sizes (its defaults 50 MiB in one response hold the first record back ~0.7 s here).
        maxBytes: 10 * 2 ** 20,
        maxBytesPerPartition: 2 ** 20,
      });
      try {
        // Committed offsets, else the earliest: what kafkajs's `fromBeginning` does for a group.
        const stream = await consumer.consume({
          topics: [topic],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: MessagesStreamFallbackModes.EARLIEST,
        });
        const failed = new Promise<never>((_, reject) => stream.once("error", reject));
        stream.on("data", (message) => seen(message.key, message.partition, message.value));
        await Promise.race([done, failed]);
        await stream.close();
      } finally {
        await consumer.close(true);
      }
    },
  };
}

interface Phase {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly heapDeltaMiB: number;
}

/**
 * Runs `phase`, sampling the process's RSS every 20 ms; its seconds end when `phase` resolves with the time its
 * work was done (a client's close is not timed).
 */
async function measure(phase: () => Promise<number>): Promise<Phase> {
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const start = performance.now();
  let end: number;
  try {
    end = await phase();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (end - start) / 1000;
  return {
    seconds,
    peakRssMiB: mib(peakRss),
    heapDeltaMiB: mib(process.memoryUsage().heapUsed - heapBefore),
  };
}

/** The project's topic creation, with kafkajs's "not the leader" lines of the wait for leaders left out. */
async function createTopic(brokers: readonly string[], topic: string): Promise<void> {
  const admin = new Kafka({
    clientId: "bench-topics",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await createReadyTopics(admin, [topic], PARTITIONS);
  } finally {
    await admin.disconnect();
  }
}

const rate = (records: number, seconds: number) => Math.round(records / seconds).toLocaleString("en-US");
const records = Array.from({ length: count }, (_, n) => orderRecord(n));
const meanBytes = records.reduce((sum, r) => sum + r.key.length + r.value.length, 0) / count;
const broker = await startKafkaBroker();
try {
  console.log(
    `node ${process.version}, RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB before; ` +
      `${count} records of ${meanBytes.toFixed(0)} bytes (key+value), ` +
      `${PARTITIONS} partitions, acks=all, batches of ${send.batch}, ${send.inflight} in flight`,
  );
  for (const name of clients) {
    const client = (name === "kafkajs" ? kafkajsClient : platformaticClient)([...broker.brokers]);
    const topic = `bench.kafka-clients.${name}`;
    await createTopic(broker.brokers, topic);
    const produced = await measure(() => client.produce(topic, records));

    let received = 0;
    let wrong = 0;
    let firstAt = 0;
    let lastAt = 0;
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const seen: Seen = (key, partition, value) => {
      if (received === 0) firstAt = performance.now();
      if (partitionForKey(key, PARTITIONS) !== partition || value.length === 0) wrong++;
      if (++received !== count) return;
      lastAt = performance.now();
      finish();
    };
    const start = performance.now();
    const consumed = await measure(async () => {
      await client.consume(topic, `bench-${name}`, seen, done);
      return lastAt;
    });
    const joinSeconds = (firstAt - start) / 1000;
    console.log(
      `${name.padEnd(12)} produce ${rate(count, produced.seconds)} records/s (${produced.seconds.toFixed(2)} s, ` +
        `peak RSS ${produced.peakRssMiB} MiB, heap ${produced.heapDeltaMiB} MiB); consume ` +
        `${rate(count, consumed.seconds)} records/s (${consumed.seconds.toFixed(2)} s incl. ${joinSeconds.toFixed(2)} s ` +
        `to the first record, ${rate(count, consumed.seconds - joinSeconds)} records/s after it, ` +
        `peak RSS ${consumed.peakRssMiB} MiB, heap ${consumed.heapDeltaMiB} MiB); ` +
        `${received - count} extra, ${wrong} empty or not on the murmur2 partition`,
    );
  }
} finally {
  await broker.stop();
}
