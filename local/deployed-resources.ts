import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from "@aws-sdk/client-cloudformation";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  addLocalStandIns,
  type LocalResource,
  type LocalStackResources,
  resolveIntrinsics,
} from "./resources";
import type { CfnTemplate } from "./template";

export interface DeployedStackOptions {
  /** The CloudFormation stack, e.g. `TheWorldShopStreaming`. */
  readonly stackName: string;
  /** The AWS endpoint (`AWS_ENDPOINT_URL` of an emulator); the SDK's default (AWS itself) when unset. */
  readonly endpoint?: string;
  /** @default process.env.AWS_REGION, else the SDK's default */
  readonly region?: string;
  /** @default the SDK's default credential chain */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * The stack's template: what the emulator left out of it and the local runtime stands in for (the dashboard's
   * user pool) resolves to its local stand-in.
   * @default none: every reference must be to a deployed resource
   */
  readonly template?: CfnTemplate;
}

/** Thrown when the stack is not deployed (or not complete) at the endpoint. */
export class DeployedStackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeployedStackError";
  }
}

const COMPLETE = new Set(["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"]);

/**
 * The resources of a deployed stack in the shape `createStackResources` gives private copies: each logical
 * id of the template mapped to what CloudFormation created for it (table name, topic ARN, queue URL) and the
 * attributes `Fn::GetAtt` would give, read from the services themselves. Tests then use the deployed tables,
 * topics and queues through the same `byLogicalId` and `resolve`.
 */
export async function loadDeployedResources(options: DeployedStackOptions): Promise<LocalStackResources> {
  const config = {
    region: options.region ?? process.env.AWS_REGION,
    endpoint: options.endpoint,
    credentials: options.credentials,
  };
  const cloudformation = new CloudFormationClient(config);
  const dynamodb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  try {
    const { Stacks = [] } = await cloudformation
      .send(new DescribeStacksCommand({ StackName: options.stackName }))
      .catch((error: unknown) => {
        throw new DeployedStackError(`stack ${options.stackName} is not deployed at ${where(options)}`, {
          cause: error,
        });
      });
    const stack = Stacks[0];
    if (!stack?.StackId || !COMPLETE.has(String(stack.StackStatus)))
      throw new DeployedStackError(
        `stack ${options.stackName} at ${where(options)} is ${stack?.StackStatus ?? "missing"}, not deployed`,
      );
    const [, , , region = "", account = ""] = stack.StackId.split(":");
    const summaries: StackResourceSummary[] = [];
    for await (const page of paginateListStackResources(
      { client: cloudformation },
      { StackName: options.stackName },
    ))
      summaries.push(...(page.StackResourceSummaries ?? []));

    const byLogicalId = new Map<string, LocalResource>();
    for (const summary of summaries) {
      const { LogicalResourceId: logicalId, PhysicalResourceId: physicalId, ResourceType: type } = summary;
      if (!logicalId || !physicalId || !type) continue;
      byLogicalId.set(logicalId, await describe(type, physicalId, { dynamodb, sqs }));
    }
    if (options.template) addLocalStandIns(byLogicalId, options.template);
    const identity = { account, stackName: options.stackName };
    return {
      prefix: options.stackName,
      byLogicalId,
      resolve: (value) => resolveIntrinsics(value, byLogicalId, region, identity),
    };
  } finally {
    cloudformation.destroy();
    dynamodb.destroy();
    sqs.destroy();
  }
}

/** What `Ref` and `Fn::GetAtt` give for one deployed resource. */
async function describe(
  type: string,
  physicalId: string,
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient },
): Promise<LocalResource> {
  if (type === "AWS::DynamoDB::Table" || type === "AWS::DynamoDB::GlobalTable") {
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: physicalId }));
    const attributes: Record<string, string> = { Arn: Table?.TableArn ?? "" };
    if (Table?.LatestStreamArn) attributes.StreamArn = Table.LatestStreamArn;
    return { type, ref: physicalId, attributes };
  }
  if (type === "AWS::SNS::Topic") {
    const name = physicalId.split(":").pop() ?? physicalId;
    return { type, ref: physicalId, attributes: { TopicArn: physicalId, TopicName: name } };
  }
  if (type === "AWS::SQS::Queue") {
    // The URL as this endpoint serves it: an emulator's CloudFormation may record AWS's host instead.
    const name = physicalId.split("/").pop() ?? physicalId;
    const { QueueUrl = physicalId } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return {
      type,
      ref: QueueUrl,
      attributes: { Arn: Attributes?.QueueArn ?? "", QueueName: name, QueueUrl },
    };
  }
  return { type, ref: physicalId, attributes: {} };
}

function where(options: DeployedStackOptions): string {
  return options.endpoint ?? "AWS";
}
