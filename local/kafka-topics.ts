import { type Admin, Kafka, logLevel } from "kafkajs";
import { waitUntil } from "./services/wait";
import { type CfnTemplate, resourcesOfType } from "./template";

/** How long a created topic may take to reach the broker's metadata. */
const TOPIC_READY_TIMEOUT_MS = 30_000;

/** The Kafka topics the template's event source mappings read. */
export function templateTopics(template: CfnTemplate): string[] {
  const topics = resourcesOfType(template, "AWS::Lambda::EventSourceMapping").flatMap(
    ([, resource]) => (resource.Properties?.Topics as string[] | undefined) ?? [],
  );
  return [...new Set(topics)].sort();
}

/** Creates the topics that do not exist yet, each with `partitions` partitions. */
export async function ensureTopics(
  brokers: readonly string[],
  topics: readonly string[],
  partitions = 3,
): Promise<void> {
  const admin = new Kafka({
    clientId: "theworldshop-topics",
    brokers: [...brokers],
    logLevel: logLevel.ERROR,
  }).admin();
  await admin.connect();
  try {
    await createReadyTopics(admin, topics, partitions);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates the topics that do not exist yet and waits until the broker serves each with a leader for every
 * partition. A KRaft controller answers CreateTopics before the broker has applied the new topic to its
 * metadata, and kafkajs's `waitForLeaders` gives up on the "This server does not host this topic-partition"
 * the broker answers meanwhile (it waits out only LEADER_NOT_AVAILABLE), so the wait is on the metadata itself.
 * The metadata names a leader before that partition's log takes writes, so the wait ends only once every
 * partition's leader answers for its offsets: a produce before then fails "not the leader" for some
 * partitions, and kafkajs resends the whole request, writing the other partitions' records twice.
 */
export async function createReadyTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  // waitForLeaders defaults to true in kafkajs: turned off, the wait below is what takes its place.
  if (missing.length > 0)
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
    });
  await waitUntil(
    `Kafka topics ${topics.join(", ")}`,
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      for (const topic of topics) {
        const found = metadata.topics.find((entry) => entry.name === topic)?.partitions ?? [];
        if (found.length === 0 || found.some((partition) => partition.leader < 0))
          throw new Error(`Kafka topic ${topic} has no leader for every partition yet`);
      }
      for (const topic of topics) await admin.fetchTopicOffsets(topic);
    },
    { timeoutMs: TOPIC_READY_TIMEOUT_MS, intervalMs: 100 },
  );
}
