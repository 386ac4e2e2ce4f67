import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { KafkaBatchResponse } from "../../functions/shared/engine/handler";
import { loadDeployedResources } from "../deployed-resources";
import { templateKafkaMappings } from "../event-source/mappings";
import { templateFunctions } from "../lambda/functions";
import { LocalFunction } from "../lambda/local-function";
import { awsClients, type LocalResource, type LocalStackResources, resolveIntrinsics } from "../resources";
import { endpointEnvironment, LOCAL_REGION } from "../services/endpoints";
import { type CfnTemplate, synthesizeTemplate } from "../template";
import type { RedriveEvent } from "./redrive";
import { type LocalStackState, type PartitionProgress, readLocalStackState } from "./state-file";

/** The engine's consumer names (what rejected messages carry), by handler source. */
const CONSUMER_OF_ENTRY: Readonly<Record<string, string>> = {
  "functions/inventory/handler.ts": "inventory",
  "functions/card-velocity/handler.ts": "cardVelocity",
  "functions/orders/handler.ts": "orders",
  "functions/sessions/handler.ts": "sessions",
};

export interface ConsumerInfo {
  /** As rejected messages name it: inventory, cardVelocity, orders, sessions. */
  readonly name: string;
  readonly functionLogicalId: string;
  /** The function's physical name (deployed) or its local name. */
  readonly functionName: string;
  readonly topic: string;
  readonly group: string;
  readonly stateTable: string;
}

/** What the ops commands work on: the local stack `npm start` runs, or a deployed one. */
export interface OpsTarget {
  /** "local" or the CloudFormation stack name. */
  readonly name: string;
  readonly consumers: readonly ConsumerInfo[];
  readonly rejectedQueueUrl: string;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** Per consumer function, its partitions' offsets; undefined when only the brokers know (a deployed stack). */
  partitions(consumer: ConsumerInfo): readonly PartitionProgress[] | undefined;
  readonly lastAlert?: LocalStackState["lastAlert"];
  invoke(consumer: ConsumerInfo, event: RedriveEvent): Promise<KafkaBatchResponse>;
  close(): void;
}

/** Thrown when a consumer name is not one of the stack's. */
export class UnknownConsumerError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`no consumer named "${name}": use one of ${known.join(", ")}`);
    this.name = "UnknownConsumerError";
  }
}

export function consumerNamed(target: OpsTarget, name: string): ConsumerInfo {
  const found = target.consumers.find((consumer) => consumer.name === name);
  if (!found)
    throw new UnknownConsumerError(
      name,
      target.consumers.map((c) => c.name),
    );
  return found;
}

function consumersOf(template: CfnTemplate, resources: LocalStackResources): ConsumerInfo[] {
  const functions = templateFunctions(template, resources.resolve);
  return templateKafkaMappings(template, resources.resolve).flatMap((mapping) => {
    const fn = functions.get(mapping.functionLogicalId);
    const name = fn ? CONSUMER_OF_ENTRY[fn.entry] : undefined;
    if (!fn || !name) return [];
    return [
      {
        name,
        functionLogicalId: mapping.functionLogicalId,
        functionName: resources.byLogicalId.get(mapping.functionLogicalId)?.ref ?? fn.functionName,
        topic: mapping.topics[0]!,
        group: mapping.consumerGroupId,
        stateTable: fn.environment.STATE_TABLE_NAME ?? "",
      },
    ];
  });
}

function rejectedQueueOf(resources: LocalStackResources): string {
  const queue = [...resources.byLogicalId].find(
    ([id, r]) => id.startsWith("RejectedRecords") && r.type === "AWS::SQS::Queue",
  );
  if (!queue) throw new Error("the stack has no rejected-records queue");
  return queue[1].ref;
}

/** The local stack of `npm start`, from its state file. */
export function localTarget(
  state: LocalStackState = readLocalStackState(),
  template = synthesizeTemplate(),
): OpsTarget {
  const byLogicalId = new Map<string, LocalResource>(Object.entries(state.resources));
  const region = process.env.AWS_REGION ?? LOCAL_REGION;
  const resources: LocalStackResources = {
    prefix: "theworldshop",
    byLogicalId,
    resolve: (value) => resolveIntrinsics(value, byLogicalId, region),
  };
  const clients = awsClients(state.endpoints);
  const definitions = templateFunctions(template, resources.resolve);
  const running = new Map<string, LocalFunction>();
  return {
    name: "local",
    consumers: consumersOf(template, resources),
    rejectedQueueUrl: rejectedQueueOf(resources),
    sqs: clients.sqs,
    dynamodb: clients.dynamodb,
    lastAlert: state.lastAlert,
    partitions: (consumer) =>
      state.mappings.find((m) => m.functionLogicalId === consumer.functionLogicalId)?.partitions,
    async invoke(consumer, event) {
      let fn = running.get(consumer.functionLogicalId);
      if (!fn) {
        fn = new LocalFunction(definitions.get(consumer.functionLogicalId)!, {
          root: join(import.meta.dirname, "..", ".."),
          instance: `ops-${process.pid}`,
          baseEnvironment: endpointEnvironment(state.endpoints),
          environmentOverrides: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
        });
        running.set(consumer.functionLogicalId, fn);
      }
      const outcome = await fn.invoke(event);
      if (outcome.status === "error") throw outcome.error;
      return outcome.result as KafkaBatchResponse;
    },
    close() {
      clients.dynamodb.destroy();
      clients.sns.destroy();
      clients.sqs.destroy();
    },
  };
}

/** A deployed stack, its resources read from CloudFormation; the redrive invokes its functions (lambda:InvokeFunction). */
export async function deployedTarget(stackName: string, template = synthesizeTemplate()): Promise<OpsTarget> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const resources = await loadDeployedResources({ stackName, endpoint });
  const config = { endpoint, region: process.env.AWS_REGION };
  const sqs = new SQSClient(config);
  const dynamodb = new DynamoDBClient(config);
  const lambda = new LambdaClient(config);
  return {
    name: stackName,
    consumers: consumersOf(template, resources),
    rejectedQueueUrl: rejectedQueueOf(resources),
    sqs,
    dynamodb,
    // Offsets per partition live in the brokers; the OffsetLag metric (docs/deploy.md) has the consumer's lag.
    partitions: () => undefined,
    async invoke(consumer, event) {
      const response = await lambda.send(
        new InvokeCommand({
          FunctionName: consumer.functionName,
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );
      const payload = response.Payload ? Buffer.from(response.Payload).toString("utf8") : "null";
      if (response.FunctionError)
        throw new Error(`${consumer.functionName} failed: ${payload.slice(0, 500)}`);
      return JSON.parse(payload) as KafkaBatchResponse;
    },
    close() {
      sqs.destroy();
      dynamodb.destroy();
      lambda.destroy();
    },
  };
}
