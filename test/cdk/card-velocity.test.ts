import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, it } from "vitest";
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
  it("reads theworldshop.fraud-signals with partial batch failures, retried without limit", () => {
    synth().hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      Topics: ["theworldshop.fraud-signals"],
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "theworldshop-fraud-signals" },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: -1,
      DestinationConfig: Match.absent(),
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
});
