import { Kafka, logLevel } from "kafkajs";
import { type CfnTemplate, resourcesOfType } from "./template";

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
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
