import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { engineOptionsFromEnv } from "../functions/shared/engine/handler";
import { processBatch } from "../functions/shared/engine/process-batch";
import { templateFunction } from "../local/function-env";
import { createStackResources } from "../local/resources";
import type { ServiceEndpoints } from "../local/services/endpoints";
import type { CfnTemplate } from "../local/template";
import { createBaselineProcessor } from "./baseline";
import { createBaselineTable } from "./baseline-table";
import type { BenchConsumer } from "./consumers";
import { type DynamoDbUsage, meterDynamoDb } from "./dynamodb-meter";
import { inBatches, topicWorkload } from "./workload";

export interface CostResult {
  readonly events: number;
  readonly batchSize: number;
  readonly engine: PerEvent & { eventsPerSec: number };
  readonly baseline: PerEvent & { eventsPerSec: number };
}
interface PerEvent {
  writesPerEvent: number;
  readsPerEvent: number;
  wcuPerEvent: number;
  rcuPerEvent: number;
}

function clients(endpoints: ServiceEndpoints) {
  const dynamodbClient = new DynamoDBClient({ endpoint: endpoints.dynamodb });
  return {
    dynamodbClient,
    dynamodb: DynamoDBDocumentClient.from(dynamodbClient, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sns: new SNSClient({ endpoint: endpoints.snsSqs }),
    sqs: new SQSClient({ endpoint: endpoints.snsSqs }),
  };
}

const perEvent = (usage: DynamoDbUsage, events: number): PerEvent => ({
  writesPerEvent: usage.writes / events,
  readsPerEvent: usage.reads / events,
  wcuPerEvent: usage.writeCapacity / events,
  rcuPerEvent: usage.readCapacity / events,
});

/** B1 and B2 for one consumer: the same seeded workload through our engine and through the baseline. */
export async function measureCost(
  name: string,
  bench: BenchConsumer,
  {
    template,
    endpoints,
    minutes,
    batchSize,
  }: { template: CfnTemplate; endpoints: ServiceEndpoints; minutes: number; batchSize: number },
): Promise<CostResult> {
  const workload = topicWorkload(bench.topic, { minutes });
  const batches = inBatches(workload, batchSize);

  const engineStack = await createStackResources(template, endpoints, `bench-engine-${name}-${Date.now()}`);
  const engineEnv = templateFunction(template, engineStack, bench.entry).environment;
  const config = bench.configFromEnv(engineEnv);
  const options = engineOptionsFromEnv(config, engineEnv);
  const engineClients = clients(endpoints);
  const engineUsage = meterDynamoDb(engineClients.dynamodb);
  const engineStart = performance.now();
  for (const batch of batches) {
    await processBatch(bench.consumer, options, batch, {
      clients: engineClients,
      deadline: Date.now() + 600_000,
    });
  }
  const engineSeconds = (performance.now() - engineStart) / 1000;

  const baselineStack = await createStackResources(
    template,
    endpoints,
    `bench-baseline-${name}-${Date.now()}`,
  );
  const baselineOptions = engineOptionsFromEnv(
    config,
    templateFunction(template, baselineStack, bench.entry).environment,
  );
  const baselineClients = clients(endpoints);
  const idempotencyTable = await createBaselineTable(endpoints, `bench-idempotency-${name}-${Date.now()}`);
  const baselineUsage = meterDynamoDb(baselineClients.dynamodbClient);
  const baseline = createBaselineProcessor(
    bench.consumer,
    config,
    {
      stateTable: baselineOptions.tableName,
      idempotencyTable,
      sideTables: baselineOptions.sideTables ?? {},
      alertTopicArn: baselineOptions.alertTopicArn,
    },
    baselineClients,
  );
  const baselineStart = performance.now();
  for (const batch of batches) await baseline(batch);
  const baselineSeconds = (performance.now() - baselineStart) / 1000;

  return {
    events: workload.length,
    batchSize,
    engine: { ...perEvent(engineUsage, workload.length), eventsPerSec: workload.length / engineSeconds },
    baseline: {
      ...perEvent(baselineUsage, workload.length),
      eventsPerSec: workload.length / baselineSeconds,
    },
  };
}
