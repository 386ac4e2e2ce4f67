import { ensureTopics, templateTopics } from "./kafka-topics";
import { createStackResources } from "./resources";
import { startLocalServices } from "./services";
import { synthesizeTemplate } from "./template";

// `npm start`: the local services, the stack's resources from the synthesized template, and the Kafka topics.
const services = await startLocalServices({ aws: true, kafka: true });
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping local services…");
  await services.stop();
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
try {
  const template = synthesizeTemplate();
  const resources = await createStackResources(template, services.endpoints, "theworldshop");
  const topics = templateTopics(template);
  await ensureTopics(services.endpoints.kafkaBrokers, topics);
  console.log("TheWorldShop streaming, running locally:");
  for (const line of services.description) console.log(`  ${line}`);
  for (const [logicalId, resource] of resources.byLogicalId)
    console.log(`  ${resource.type} ${logicalId}: ${resource.ref}`);
  console.log(`  Kafka topics: ${topics.length ? topics.join(", ") : "(no consumers in the stack yet)"}`);
  console.log("Press Ctrl-C to stop.");
} catch (error) {
  console.error(error);
  await stop(1);
}
