import { type AlertInbox, type ReceivedAlert, subscribeAlertInbox } from "./alert-inbox";
import { KafkaLog } from "./event-source/kafka-log";
import type { PartitionedLog } from "./event-source/log";
import { MemoryLog } from "./event-source/memory-log";
import { awsClients, createStackResources, type LocalStackResources } from "./resources";
import { LocalRuntime } from "./runtime";
import { type LocalServices, startLocalServices } from "./services";
import { type CfnTemplate, synthesizeTemplate } from "./template";

/** What a component started with the local stack gets: the running stack. */
export interface LocalStackContext {
  readonly template: CfnTemplate;
  readonly services: LocalServices;
  readonly resources: LocalStackResources;
  /** Where records go: produce to it to feed the consumers. */
  readonly log: PartitionedLog;
  readonly runtime: LocalRuntime;
}

/** Something that runs beside the stack (the traffic simulator, the dashboard): started last, stopped first. */
export interface LocalComponent {
  readonly name: string;
  start(context: LocalStackContext): Promise<{ stop(): Promise<void> } | undefined>;
}

export interface LocalStackOptions {
  /** The in-process log instead of a Kafka broker (nothing outside this process can then produce). */
  readonly embedded?: boolean;
  /** @default 3 */
  readonly partitions?: number;
  readonly components?: readonly LocalComponent[];
  /** Called with each alert an SQS queue subscribed to the alert topic receives. */
  readonly onAlert?: (alert: ReceivedAlert) => void;
  readonly onError?: (error: unknown, where: string) => void;
}

export interface RunningLocalStack extends LocalStackContext {
  /** What runs where, for people to read. */
  readonly description: readonly string[];
  stop(): Promise<void>;
}

/**
 * The whole stack locally: services, the template's tables/topics/queues, the Kafka topics, every consumer
 * behind its event source mapping, the schedules on the wall clock, and an alert subscriber.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const services = await startLocalServices({ aws: true, kafka: !options.embedded });
  const stops: Array<() => Promise<void>> = [() => services.stop()];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((error) => options.onError?.(error, "stop"));
  };
  try {
    const template = synthesizeTemplate();
    const resources = await createStackResources(template, services.endpoints, "theworldshop");
    const log = options.embedded
      ? new MemoryLog()
      : new KafkaLog(services.endpoints.kafkaBrokers, undefined, {
          onReaderCrash: (error) => options.onError?.(error, "kafka"),
        });
    stops.push(() => log.close());
    const runtime = new LocalRuntime({
      template,
      resources,
      endpoints: services.endpoints,
      log,
      partitions: options.partitions,
      onInvocation: ({ mapping, outcome }) => {
        if (outcome.status === "error") options.onError?.(outcome.error, mapping.functionLogicalId);
      },
      onError: options.onError,
    });
    await runtime.start();
    stops.push(() => runtime.stop());
    runtime.startSchedules();
    const clients = awsClients(services.endpoints);
    stops.push(async () => {
      clients.sns.destroy();
      clients.sqs.destroy();
      clients.dynamodb.destroy();
    });
    const inbox = await subscribeAlertInbox(resources, clients, "console-alerts");
    stops.push(relayAlerts(inbox, options));
    const context: LocalStackContext = { template, services, resources, log, runtime };
    const description = [
      ...services.description,
      ...[...resources.byLogicalId].map(
        ([logicalId, resource]) => `${resource.type} ${logicalId}: ${resource.ref}`,
      ),
      `Kafka topics: ${runtime.topics().join(", ") || "(no consumers in the stack yet)"}`,
      ...runtime.eventSources.map(
        ({ definition }) =>
          `${definition.functionLogicalId} ← ${definition.topics.join(", ")} (${definition.consumerGroupId})`,
      ),
      ...runtime.schedules.map(
        (schedule) =>
          `${schedule.targets.map((t) => t.functionLogicalId).join(", ")} every ${schedule.expression}`,
      ),
    ];
    for (const component of options.components ?? []) {
      const started = await component.start(context);
      if (started) stops.push(() => started.stop());
      description.push(`${component.name} running`);
    }
    return { ...context, description, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls the alert subscriber queue until stopped, handing each alert on as it comes; returns the stop. */
export function relayAlerts(
  inbox: Pick<AlertInbox, "receiveSome">,
  options: Pick<LocalStackOptions, "onAlert" | "onError">,
): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        // As they come: under steady traffic the queue is never empty, so waiting for that would hold them all.
        for (const alert of await inbox.receiveSome(2)) options.onAlert?.(alert);
      } catch (error) {
        if (running) options.onError?.(error, "alert subscriber");
      }
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
