import { randomUUID } from "node:crypto";
import { App, Stack } from "aws-cdk-lib";
import { AttributeType, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { inject } from "vitest";
import { StateTable } from "../../lib/constructs/state-table";
import { createStackResources } from "../../local/resources";
import type { CfnTemplate } from "../../local/template";

/** Local copies of a state table (the real construct), a side table, the alert topic and the rejected queue. */
export interface EngineTestStack {
  readonly stateTable: string;
  readonly milestonesTable: string;
  readonly alertTopicArn: string;
  readonly rejectedQueueUrl: string;
}

export async function createEngineTestStack(): Promise<EngineTestStack> {
  const app = new App();
  const stack = new Stack(app, "EngineTest");
  const state = new StateTable(stack, "TallyState", { stage: "dev" });
  const milestones = new TableV2(stack, "Milestones", {
    partitionKey: { name: "pk", type: AttributeType.STRING },
  });
  const alerts = new Topic(stack, "Alerts");
  const rejected = new Queue(stack, "Rejected");
  const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  const local = await createStackResources(
    template,
    inject("endpoints"),
    `engine-${randomUUID().slice(0, 8)}`,
  );
  const ref = (construct: { node: { defaultChild?: unknown } }) =>
    String(local.resolve({ Ref: stack.getLogicalId(construct.node.defaultChild as never) }));
  return {
    stateTable: ref(state.table),
    milestonesTable: ref(milestones),
    alertTopicArn: ref(alerts),
    rejectedQueueUrl: ref(rejected),
  };
}
