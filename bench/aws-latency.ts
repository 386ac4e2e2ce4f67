import { setTimeout as sleep } from "node:timers/promises";
import type { SNSClient } from "@aws-sdk/client-sns";
import { createEngineClients, type EngineClients } from "../functions/shared/engine/clients";
import type { DeliveredRecord } from "../functions/shared/engine/decode";
import { engineOptionsFromEnv } from "../functions/shared/engine/handler";
import { processBatch } from "../functions/shared/engine/process-batch";
import { templateFunction } from "../local/function-env";
import { SeededRandom } from "../local/random";
import { createStackResources } from "../local/resources";
import type { ServiceEndpoints } from "../local/services/endpoints";
import type { CfnTemplate } from "../local/template";
import type { BenchConsumer } from "./consumers";
import { meterDynamoDb } from "./dynamodb-meter";
import { AWS_PRICES } from "./prices";
import { BENCH_PARTITIONS, inBatches, topicWorkload } from "./workload";

/** A call's added latency: log-normal with this median and 99th percentile, in milliseconds. */
export interface LatencyDistribution {
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** In-region figures for small items and messages, as AWS's own latency metrics show them. */
export const AWS_LATENCY = {
  dynamodb: { medianMs: 4, p99Ms: 12 },
  sns: { medianMs: 15, p99Ms: 40 },
} as const satisfies Record<string, LatencyDistribution>;

/** The normal distribution's 99th percentile, in standard deviations. */
const Z99 = 2.3263;

/** A sampler of `distribution` (Box-Muller on a seeded sequence, so that two runs wait alike). */
export function latencySampler(distribution: LatencyDistribution, random: SeededRandom): () => number {
  const sigma = Math.log(distribution.p99Ms / distribution.medianMs) / Z99;
  return () => {
    const normal = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    return distribution.medianMs * Math.exp(sigma * normal);
  };
}

/**
 * Waits a drawn latency before each call of `client` reaches the emulator. A call DynamoDB fans out to many
 * items waits for the slowest of them: a BatchGetItem draws once per key and waits the longest; a
 * TransactWriteItems does that twice (DynamoDB's two phases, prepare and commit). A model, not a measurement:
 * AWS publishes no latency for a transaction of n items.
 */
export function addLatency(
  client: EngineClients["dynamodb"] | EngineClients["sns"],
  draw: () => number,
  name: string,
): void {
  // Both clients' stacks take the same untyped-input middleware; TypeScript cannot see it through the union.
  const stack = client.middlewareStack as unknown as EngineClients["dynamodb"]["middlewareStack"];
  stack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TransactItems?: unknown[];
        RequestItems?: Record<string, { Keys?: unknown[] }>;
      };
      const slowest = (items: number) => Math.max(...Array.from({ length: Math.max(1, items) }, draw));
      if (
        context.commandName === "TransactWriteCommand" ||
        context.commandName === "TransactWriteItemsCommand"
      ) {
        const items = input.TransactItems?.length ?? 1;
        await sleep(slowest(items) + slowest(items));
      } else if (context.commandName === "BatchGetCommand" || context.commandName === "BatchGetItemCommand")
        await sleep(
          slowest(Object.values(input.RequestItems ?? {}).reduce((n, t) => n + (t.Keys?.length ?? 0), 0)),
        );
      else await sleep(draw());
      return next(args);
    },
    { step: "initialize", name: `benchLatency${name}` },
  );
}

/** Messages published to SNS: what SNS bills (a PublishBatch entry is a request of its own). */
function countPublishes(client: SNSClient): { messages: number } {
  const count = { messages: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { PublishBatchRequestEntries?: unknown[] };
      if (context.commandName === "PublishCommand") count.messages += 1;
      if (context.commandName === "PublishBatchCommand")
        count.messages += input.PublishBatchRequestEntries?.length ?? 0;
      return next(args);
    },
    { step: "initialize", name: "benchPublishCount" },
  );
  return count;
}

export interface LatencyRun {
  /** Partitions whose invocations ran at the same time (1: one invocation at a time). */
  readonly concurrentPartitions: number;
  /** State keys each invocation applied at once. */
  readonly keyConcurrency: number;
  /** State keys per TransactWriteItems call (1: a PutItem each). */
  readonly keysPerWrite: number;
  readonly events: number;
  readonly recordsPerSec: number;
  /** Each partition's records over the time its own invocations took, lowest and highest. */
  readonly perPartitionRecordsPerSec: { readonly min: number; readonly max: number };
  /** Write requests per event, the refused conditional writes of lost races included. */
  readonly writesPerEvent: number;
  /** Conditional writes refused per event: how often invocations raced for one item. */
  readonly refusedWritesPerEvent: number;
  readonly wcuPerEvent: number;
  readonly rcuPerEvent: number;
  readonly publishesPerEvent: number;
  /** Dollars per million events: on-demand DynamoDB, Lambda duration and requests, SNS publishes. */
  readonly dollarsPerMillionEvents: {
    readonly dynamodb: number;
    readonly lambda: number;
    readonly sns: number;
    readonly total: number;
  };
}

/**
 * B6 for one consumer: the seeded workload through the engine with an AWS-like latency added to every DynamoDB
 * and SNS call, in each of `shapes` (one invocation at a time, then all six partitions at once as the event
 * source mapping runs them, one batch per partition in flight), each run on fresh tables.
 */
export async function measureWithAwsLatency(
  name: string,
  bench: BenchConsumer,
  options: {
    template: CfnTemplate;
    endpoints: ServiceEndpoints;
    minutes: number;
    batchSize: number;
    latency?: { dynamodb: LatencyDistribution; sns: LatencyDistribution };
    /** @default B6_SHAPES */
    shapes?: readonly InvocationShape[];
  },
): Promise<LatencyRun[]> {
  // Five times B1's traffic: enough batches per partition for a rate, and more sellers and cards at once.
  const workload = topicWorkload(bench.topic, { minutes: options.minutes, visitsPerSecond: 25 });
  const partitions = Array.from({ length: BENCH_PARTITIONS }, (_, partition) =>
    inBatches(
      workload.filter((record) => record.partition === partition),
      options.batchSize,
    ),
  );
  const runs: LatencyRun[] = [];
  for (const shape of options.shapes ?? B6_SHAPES)
    runs.push(await run(name, bench, options, partitions, shape));
  return runs;
}

/** How the invocations of one B6 run apply a batch. */
export interface InvocationShape {
  readonly concurrentPartitions: number;
  readonly keyConcurrency: number;
  readonly keysPerWrite: number;
}

/**
 * One invocation at a time, then six partitions at once with 16 and 64 keys in flight, one write per key, and
 * with 64 keys in flight written 25 to a TransactWriteItems.
 */
export const B6_SHAPES: readonly InvocationShape[] = [
  { concurrentPartitions: 1, keyConcurrency: 16, keysPerWrite: 1 },
  { concurrentPartitions: BENCH_PARTITIONS, keyConcurrency: 16, keysPerWrite: 1 },
  { concurrentPartitions: BENCH_PARTITIONS, keyConcurrency: 64, keysPerWrite: 1 },
  { concurrentPartitions: BENCH_PARTITIONS, keyConcurrency: 64, keysPerWrite: 25 },
];

async function run(
  name: string,
  bench: BenchConsumer,
  options: Parameters<typeof measureWithAwsLatency>[2],
  partitions: readonly DeliveredRecord[][][],
  { concurrentPartitions, keyConcurrency, keysPerWrite }: InvocationShape,
): Promise<LatencyRun> {
  const { template, endpoints, latency = AWS_LATENCY } = options;
  const stack = await createStackResources(
    template,
    endpoints,
    `bench-b6-${name}-${concurrentPartitions}-${keyConcurrency}-${keysPerWrite}-${Date.now()}`,
  );
  const fn = templateFunction(template, stack, bench.entry);
  const engineOptions = {
    ...engineOptionsFromEnv(bench.configFromEnv(fn.environment), fn.environment),
    keyConcurrency,
    keysPerWrite,
  };
  // The clients a consumer's Lambda function makes (one attempt per call, the engine's own retries above it).
  const clients = createEngineClients({
    dynamodb: { endpoint: endpoints.dynamodb },
    sns: { endpoint: endpoints.snsSqs },
    sqs: { endpoint: endpoints.snsSqs },
  });
  const random = new SeededRandom("b6", name, concurrentPartitions, keyConcurrency, keysPerWrite);
  addLatency(clients.dynamodb, latencySampler(latency.dynamodb, random), "DynamoDb");
  addLatency(clients.sns, latencySampler(latency.sns, random), "Sns");
  const usage = meterDynamoDb(clients.dynamodb);
  const published = countPublishes(clients.sns);
  let invocations = 0;
  let billedMs = 0;
  const partitionSeconds: number[] = [];
  const runPartition = async (batches: readonly DeliveredRecord[][], partition: number) => {
    const began = performance.now();
    for (const batch of batches) {
      const invoked = performance.now();
      await processBatch(bench.consumer, engineOptions, batch, { clients, deadline: Date.now() + 600_000 });
      billedMs += Math.ceil(performance.now() - invoked);
      invocations += 1;
    }
    partitionSeconds[partition] = (performance.now() - began) / 1000;
  };
  const began = performance.now();
  try {
    for (let first = 0; first < partitions.length; first += concurrentPartitions)
      await Promise.all(
        partitions
          .slice(first, first + concurrentPartitions)
          .map((batches, i) => runPartition(batches, first + i)),
      );
  } finally {
    clients.dynamodb.destroy();
    clients.sns.destroy();
    clients.sqs.destroy();
  }
  const seconds = (performance.now() - began) / 1000;
  const events = partitions.flat(2).length;
  const perPartition = partitions.map((batches, i) => batches.flat().length / partitionSeconds[i]!);
  const prices = AWS_PRICES;
  const gbSeconds = (billedMs / 1000) * (fn.memorySize / 1024);
  const dollars = {
    dynamodb:
      (usage.writeCapacity * prices.dynamodbPerMillionWriteUnits +
        usage.readCapacity * prices.dynamodbPerMillionReadUnits) /
      events,
    lambda:
      (gbSeconds * prices.lambdaPerGbSecond * 1e6 + invocations * prices.lambdaPerMillionRequests) / events,
    sns: (published.messages * prices.snsPerMillionPublishes) / events,
  };
  return {
    concurrentPartitions,
    keyConcurrency,
    keysPerWrite,
    events,
    recordsPerSec: events / seconds,
    perPartitionRecordsPerSec: { min: Math.min(...perPartition), max: Math.max(...perPartition) },
    writesPerEvent: usage.writes / events,
    refusedWritesPerEvent: usage.refusedWrites / events,
    wcuPerEvent: usage.writeCapacity / events,
    rcuPerEvent: usage.readCapacity / events,
    publishesPerEvent: published.messages / events,
    dollarsPerMillionEvents: { ...dollars, total: dollars.dynamodb + dollars.lambda + dollars.sns },
  };
}
