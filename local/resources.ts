import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS, LOCAL_REGION, type ServiceEndpoints } from "./services/endpoints";
import { type CfnTemplate, resourcesOfType } from "./template";

/** What a logical id of the template became locally. */
export interface LocalResource {
  readonly type: string;
  /** What `Ref` gives: table name, topic ARN, queue URL. */
  readonly ref: string;
  /** What `Fn::GetAtt` gives, by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface LocalStackResources {
  readonly prefix: string;
  readonly byLogicalId: ReadonlyMap<string, LocalResource>;
  /** Resolves a template value (`Ref`, `Fn::GetAtt`, `Fn::Join`, pseudo parameters) to its local value. */
  resolve(value: unknown): unknown;
}

const ACCOUNT = "000000000000";

/** Clients for the given endpoints, with local credentials unless the environment has its own. */
export function awsClients(endpoints: ServiceEndpoints) {
  const common = { region: process.env.AWS_REGION ?? LOCAL_REGION, credentials: envCredentials() };
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    sns: new SNSClient({ ...common, endpoint: endpoints.snsSqs }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.snsSqs }),
  };
}

function envCredentials() {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
  return AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY }
    : LOCAL_CREDENTIALS;
}

/** What the dashboard API's user pool variable holds locally: a well-formed id of a pool that does not exist. */
export const LOCAL_USER_POOL_ID = "us-east-1_localnone";

/**
 * Stands in for the template's Cognito user pools where none exists (locally, or on an emulator without Cognito):
 * the local dashboard needs no sign-in, and nothing checks tokens of these pools.
 */
export function addLocalStandIns(byLogicalId: Map<string, LocalResource>, template: CfnTemplate): void {
  for (const [logicalId, resource] of resourcesOfType(template, "AWS::Cognito::UserPool"))
    if (!byLogicalId.has(logicalId))
      byLogicalId.set(logicalId, { type: resource.Type, ref: LOCAL_USER_POOL_ID, attributes: {} });
}

/**
 * Creates the template's tables, topics, queues and SQS subscriptions under names starting with `prefix`,
 * so that several test files can each have their own copy of the stack side by side.
 */
export async function createStackResources(
  template: CfnTemplate,
  endpoints: ServiceEndpoints,
  prefix: string,
): Promise<LocalStackResources> {
  const clients = awsClients(endpoints);
  const region = process.env.AWS_REGION ?? LOCAL_REGION;
  const byLogicalId = new Map<string, LocalResource>();
  const resolve = (value: unknown): unknown => resolveIntrinsics(value, byLogicalId, region);
  const nameOf = (logicalId: string) => `${prefix}-${logicalId}`.slice(0, 80);
  try {
    for (const [logicalId, resource] of resourcesOfType(template, "AWS::DynamoDB::GlobalTable")) {
      const props = resource.Properties ?? {};
      const tableName = nameOf(logicalId);
      await clients.dynamodb.send(new CreateTableCommand(tableInput(tableName, props)));
      const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
      if (ttl?.Enabled && ttl.AttributeName) {
        await clients.dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
          }),
        );
      }
      const arn = `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${tableName}`;
      byLogicalId.set(logicalId, { type: resource.Type, ref: tableName, attributes: { Arn: arn } });
    }
    addLocalStandIns(byLogicalId, template);
    for (const [logicalId, resource] of resourcesOfType(template, "AWS::SNS::Topic")) {
      const fifo = resource.Properties?.FifoTopic === true;
      const name = `${nameOf(logicalId)}${fifo ? ".fifo" : ""}`;
      const created = await clients.sns.send(
        new CreateTopicCommand({ Name: name, Attributes: fifo ? { FifoTopic: "true" } : undefined }),
      );
      const arn = created.TopicArn!;
      byLogicalId.set(logicalId, {
        type: resource.Type,
        ref: arn,
        attributes: { TopicArn: arn, TopicName: name },
      });
    }
    for (const [logicalId, resource] of resourcesOfType(template, "AWS::SQS::Queue")) {
      const fifo = resource.Properties?.FifoQueue === true;
      const name = `${nameOf(logicalId)}${fifo ? ".fifo" : ""}`;
      const created = await clients.sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: "true" } : undefined }),
      );
      const url = created.QueueUrl!;
      const attrs = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
      );
      byLogicalId.set(logicalId, {
        type: resource.Type,
        ref: url,
        attributes: { Arn: attrs.Attributes?.QueueArn ?? "", QueueName: name, QueueUrl: url },
      });
    }
    for (const [logicalId, resource] of resourcesOfType(template, "AWS::SNS::Subscription")) {
      const props = resource.Properties ?? {};
      if (props.Protocol !== "sqs") continue; // email, SMS and HTTPS subscribers have no local counterpart
      const attributes: Record<string, string> = {};
      if (props.FilterPolicy) attributes.FilterPolicy = JSON.stringify(resolve(props.FilterPolicy));
      if (props.FilterPolicyScope) attributes.FilterPolicyScope = String(props.FilterPolicyScope);
      if (props.RawMessageDelivery) attributes.RawMessageDelivery = String(props.RawMessageDelivery);
      const subscribed = await clients.sns.send(
        new SubscribeCommand({
          TopicArn: String(resolve(props.TopicArn)),
          Protocol: "sqs",
          Endpoint: String(resolve(props.Endpoint)),
          Attributes: attributes,
          ReturnSubscriptionArn: true,
        }),
      );
      byLogicalId.set(logicalId, {
        type: resource.Type,
        ref: subscribed.SubscriptionArn ?? "",
        attributes: {},
      });
    }
  } finally {
    clients.dynamodb.destroy();
    clients.sns.destroy();
    clients.sqs.destroy();
  }
  return { prefix, byLogicalId, resolve };
}

function tableInput(tableName: string, props: Record<string, unknown>): CreateTableCommandInput {
  const gsis = (props.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    KeySchema: props.KeySchema as KeySchemaElement[],
    AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
    StreamSpecification: props.StreamSpecification
      ? { StreamEnabled: true, ...(props.StreamSpecification as object) }
      : undefined,
    GlobalSecondaryIndexes: gsis.length
      ? gsis.map(
          (gsi): GlobalSecondaryIndex => ({
            IndexName: gsi.IndexName as string,
            KeySchema: gsi.KeySchema as KeySchemaElement[],
            Projection: (gsi.Projection as GlobalSecondaryIndex["Projection"]) ?? { ProjectionType: "ALL" },
          }),
        )
      : undefined,
  };
}

/** The account and stack name `AWS::AccountId` and `AWS::StackName` stand for. */
export interface StackIdentity {
  readonly account: string;
  readonly stackName: string;
}
const LOCAL_IDENTITY: StackIdentity = { account: ACCOUNT, stackName: "TheWorldShopStreaming" };

/** Resolves CloudFormation intrinsics against the locally created (or deployed) resources. */
export function resolveIntrinsics(
  value: unknown,
  byLogicalId: ReadonlyMap<string, LocalResource>,
  region: string,
  identity: StackIdentity = LOCAL_IDENTITY,
): unknown {
  const again = (inner: unknown) => resolveIntrinsics(inner, byLogicalId, region, identity);
  if (Array.isArray(value)) return value.map(again);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    if (fn === "Ref") return resolveRef(String(arg), byLogicalId, region, identity);
    if (fn === "Fn::GetAtt") {
      const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split(".");
      const resource = byLogicalId.get(String(logicalId));
      const resolved = resource?.attributes[String(attribute)];
      if (resolved === undefined)
        throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} locally`);
      return resolved;
    }
    if (fn === "Fn::Join") {
      const [separator, parts] = arg as [string, unknown[]];
      return (again(parts) as unknown[]).join(separator);
    }
    if (fn === "Fn::Select") {
      const [index, list] = arg as [number | string, unknown];
      return (again(list) as unknown[])[Number(index)];
    }
    if (fn === "Fn::Split") {
      const [separator, text] = arg as [string, unknown];
      return String(again(text)).split(separator);
    }
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, again(inner)]));
}

function resolveRef(
  name: string,
  byLogicalId: ReadonlyMap<string, LocalResource>,
  region: string,
  identity: StackIdentity,
): string {
  const pseudo: Record<string, string> = {
    "AWS::Region": region,
    "AWS::AccountId": identity.account,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": identity.stackName,
    "AWS::NoValue": "",
  };
  if (name in pseudo) return pseudo[name]!;
  const resource = byLogicalId.get(name);
  if (!resource) throw new Error(`cannot resolve Ref ${name} locally: no such resource was created`);
  return resource.ref;
}
