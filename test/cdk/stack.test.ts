import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";

const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };

function synth(context: Record<string, unknown>): Template {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [], ...context } });
  return Template.fromStack(buildStreamingApp(app));
}

describe("the streaming stack", () => {
  it("encrypts the alert topic and the error queues and allows SSL only", () => {
    const template = synth({ "theworldshop:kafka": kafka });
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties("AWS::SQS::Queue", { KmsMasterKeyId: "alias/aws/sqs" });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("keeps consumer state in on-demand tables with point-in-time recovery, TTL and the outbox index", () => {
    const template = synth({ "theworldshop:kafka": kafka });
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: "outbox-pending", Projection: { ProjectionType: "KEYS_ONLY" } }),
      ]),
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it("retains tables and protects them from deletion in prod", () => {
    const template = synth({ "theworldshop:kafka": kafka, "theworldshop:stage": "prod" });
    template.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
  });

  it("fails synth with the name of a missing or invalid setting", () => {
    expect(() => synth({})).toThrow(/theworldshop:kafka/);
    expect(() =>
      synth({ "theworldshop:kafka": { mode: "self-managed", bootstrapServers: ["no-port"] } }),
    ).toThrow(/theworldshop:kafka\.bootstrapServers\.0: must be host:port/);
    expect(() => synth({ "theworldshop:kafka": kafka, "theworldshop:stage": "staging" })).toThrow(
      /theworldshop:stage/,
    );
  });
});
