import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";
import { HANDLER_METADATA } from "../../lib/constructs/kafka-consumer";

const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };

describe("the sessions consumer and its sweeper", () => {
  let template: Template;
  let resources: Record<string, { Properties: Record<string, unknown> }>;
  let consumer: string;
  let sweeper: string;
  let stateTable: string;
  let endedSessions: string;

  /** The logical id of the one resource of `type` matching `props`. */
  function onlyOne(type: string, props: Record<string, unknown>): string {
    const ids = Object.keys(template.findResources(type, props));
    expect(ids).toHaveLength(1);
    return ids[0]!;
  }

  beforeAll(() => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [], "theworldshop:kafka": kafka } });
    template = Template.fromStack(buildStreamingApp(app));
    resources = template.toJSON().Resources;
    consumer = onlyOne("AWS::Lambda::Function", {
      Metadata: { [HANDLER_METADATA]: { entry: "functions/sessions/handler.ts" } },
    });
    sweeper = onlyOne("AWS::Lambda::Function", {
      Metadata: { [HANDLER_METADATA]: { entry: "functions/sessions/sweeper.ts" } },
    });
    stateTable = onlyOne("AWS::DynamoDB::GlobalTable", {
      Properties: {
        GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: "session-expiry" })]),
      },
    });
    endedSessions = onlyOne("AWS::DynamoDB::GlobalTable", {
      Properties: { KeySchema: [{ AttributeName: "sessionId", KeyType: "HASH" }] },
    });
  }, 120_000);

  it("reads the clicks topic through a Kafka event source mapping with partial batch failures", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: consumer },
      Topics: ["theworldshop.clicks"],
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRetryAttempts: -1,
      DestinationConfig: Match.absent(),
    });
  });

  it("indexes active sessions by expiry shard and expiry time on the sessions state table", () => {
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: "expiryShard", AttributeType: "S" },
        { AttributeName: "sessionExpiresAt", AttributeType: "N" },
      ]),
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: "outbox-pending" }),
        {
          IndexName: "session-expiry",
          KeySchema: [
            { AttributeName: "expiryShard", KeyType: "HASH" },
            { AttributeName: "sessionExpiresAt", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["state", "version"] },
        },
      ]),
    });
  });

  it("names the state table and the endedSessions table to the consumer and the sweeper", () => {
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [{ AttributeName: "sessionId", KeyType: "HASH" }],
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
    for (const fn of [consumer, sweeper]) {
      expect(resources[fn]!.Properties.Environment).toMatchObject({
        Variables: {
          STATE_TABLE_NAME: { Ref: stateTable },
          SIDE_TABLE_ENDEDSESSIONS: { Ref: endedSessions },
        },
      });
    }
  });

  it("runs the sweeper on Node.js 22 arm64 every minute from an EventBridge schedule", () => {
    expect(resources[sweeper]!.Properties).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      Timeout: 60,
      TracingConfig: { Mode: "Active" },
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [sweeper, "Arn"] } })],
    });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [sweeper, "Arn"] },
      Principal: "events.amazonaws.com",
    });
  });
});
