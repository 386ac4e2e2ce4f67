import type { LocalComponent, LocalStackContext } from "../local-stack";
import { describeStalls } from "../runtime-stats";
import { localStreamingConfig, resourcesOfType } from "../template";
import { startLiveTraffic } from "./live";
import type { SimulatedRecord } from "./traffic";

const PROGRESS_EVERY_MS = 5_000;

/** The traffic simulator as an `npm start` component: live shop traffic into the stack's topics, with progress. */
export function simulatorComponent(
  options: { visitsPerSecond?: number; log?: (line: string) => void } = {},
): LocalComponent {
  const print = options.log ?? ((line: string) => console.log(line));
  return {
    name: "traffic simulator",
    async start(context) {
      const traffic = startLiveTraffic((records) => produceAll(context, records), {
        topics: localStreamingConfig().topics,
        visitsPerSecond: options.visitsPerSecond ?? 5,
        onError: (error) => print(`simulator: ${error instanceof Error ? error.message : String(error)}`),
      });
      let last = { at: Date.now(), produced: 0, batches: 0 };
      const timer = setInterval(() => {
        void progress(context, last).then((line) => {
          last = { at: Date.now(), produced: traffic.produced(), batches: context.runtime.stats.batches };
          print(line(traffic.produced()));
        });
      }, PROGRESS_EVERY_MS);
      return {
        async stop() {
          clearInterval(timer);
          await traffic.stop();
        },
      };
    },
  };
}

async function produceAll(context: LocalStackContext, records: readonly SimulatedRecord[]) {
  const byTopic = new Map<string, SimulatedRecord[]>();
  for (const record of records) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
  for (const [topic, ofTopic] of byTopic) {
    await context.log.produce(
      topic,
      ofTopic.map((r) => ({ key: r.key, value: JSON.stringify(r.value), timestamp: r.timestamp })),
    );
  }
}

/** A line for people: records produced and batches processed per second, and each consumer group's lag. */
async function progress(context: LocalStackContext, last: { at: number; produced: number; batches: number }) {
  const lags: string[] = [];
  for (const [, mapping] of resourcesOfType(context.template, "AWS::Lambda::EventSourceMapping")) {
    const props = mapping.Properties ?? {};
    const topic = (props.Topics as string[] | undefined)?.[0];
    const group = (
      (props.SelfManagedKafkaEventSourceConfig ?? props.AmazonManagedKafkaEventSourceConfig) as
        | { ConsumerGroupId?: string }
        | undefined
    )?.ConsumerGroupId;
    if (!topic || !group) continue;
    const ends = await context.log.endOffsets(topic);
    let lag = 0;
    for (const [partition, end] of ends.entries())
      lag += end - ((await context.log.committed(group, topic, partition)) ?? 0);
    lags.push(`${topic.replace(/^theworldshop\./, "")} ${lag}`);
  }
  const seconds = Math.max((Date.now() - last.at) / 1000, 0.001);
  const stalls = describeStalls(context.runtime.stalls());
  return (produced: number) =>
    `progress: ${((produced - last.produced) / seconds).toFixed(0)} records/s produced, ` +
    `${((context.runtime.stats.batches - last.batches) / seconds).toFixed(1)} batches/s processed; lag: ${lags.join(", ")}` +
    (stalls.length > 0 ? `; ${stalls.join("; ")}` : "");
}
