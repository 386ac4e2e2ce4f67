import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";
import { PROD_CONTEXT } from "./fixtures/stacks";

const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({
    context: { "aws:cdk:bundling-stacks": [], "theworldshop:kafka": kafka, ...context },
  });
  return Template.fromStack(buildStreamingApp(app));
}

describe("card velocity in the streaming stack", () => {
  it("reads theworldshop.fraud-signals with partial batch failures and a failed-batches destination", () => {
    synth().hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      Topics: ["theworldshop.fraud-signals"],
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "theworldshop-fraud-signals" },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      StartingPosition: "TRIM_HORIZON",
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("keeps decisions in an on-demand, encrypted table keyed by transactionId with point-in-time recovery", () => {
    synth().hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [{ AttributeName: "transactionId", KeyType: "HASH" }],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: "transactionId", AttributeType: "S" }]),
      BillingMode: "PAY_PER_REQUEST",
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it("retains the decisions table and protects it from deletion in prod", () => {
    synth({ ...PROD_CONTEXT }).hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: "transactionId", KeyType: "HASH" }],
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
      }),
    });
  });

  it("tells the consumer its card windows and decisions tables", () => {
    synth().hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          STATE_TABLE_NAME: { Ref: Match.stringLikeRegexp("^CardVelocityCardWindows") },
          SIDE_TABLE_DECISIONS: { Ref: Match.stringLikeRegexp("^CardVelocityDecisions") },
          ALERT_TOPIC_ARN: Match.anyValue(),
          REJECTED_QUEUE_URL: Match.anyValue(),
        }),
      },
    });
  });

  it("serves decisions through a Function URL that only IAM-signed requests reach", () => {
    const template = synth();
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "AWS_IAM",
      TargetFunctionArn: {
        "Fn::GetAtt": [Match.stringLikeRegexp("^CardVelocityDecisionsApiFunction"), "Arn"],
      },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          DECISIONS_TABLE_NAME: { Ref: Match.stringLikeRegexp("^CardVelocityDecisions") },
        }),
      },
    });
  });

  it("lets the decisions API read the decisions table and write nothing", () => {
    const template = synth();
    template.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: Match.stringLikeRegexp("^CardVelocityDecisionsApiFunctionServiceRole") }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Action: Match.arrayWith(["dynamodb:GetItem"]),
            Resource: { "Fn::GetAtt": [Match.stringLikeRegexp("^CardVelocityDecisions"), "Arn"] },
          }),
        ]),
      },
    });
    const policies = template.findResources("AWS::IAM::Policy", {
      Properties: {
        Roles: [{ Ref: Match.stringLikeRegexp("^CardVelocityDecisionsApiFunctionServiceRole") }],
      },
    });
    const actions = JSON.stringify(Object.values(policies).map((policy) => policy.Properties.PolicyDocument));
    expect(actions).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/);
  });
});
