import { describe, expect, it } from "vitest";
import { adaptTemplateForEmulator, type EmulatorTemplate } from "../../lib/emulator/adapt-template";
import template from "../events/emulator-template.json";

const original = template as unknown as EmulatorTemplate;

describe("the template for moto", () => {
  const { template: adapted, report } = adaptTemplateForEmulator(original, "moto");

  it("deploys a GlobalTable as a Table with the same keys, indexes, TTL, stream, encryption and replica settings", () => {
    expect(adapted.Resources.StateTable).toEqual({
      Type: "AWS::DynamoDB::Table",
      DeletionPolicy: "Delete",
      Properties: {
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "outboxShard", AttributeType: "S" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "outbox-pending",
            KeySchema: [{ AttributeName: "outboxShard", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
        ],
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        StreamSpecification: { StreamViewType: "NEW_IMAGE" },
        SSESpecification: { SSEEnabled: true, SSEType: "KMS" },
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
    expect(report.substituted).toEqual({
      StateTable: "AWS::DynamoDB::GlobalTable -> AWS::DynamoDB::Table",
    });
  });

  it("leaves out the resource types moto's CloudFormation lacks and its Kafka event source mappings", () => {
    expect(report.leftOut).toMatchObject({
      KafkaSecret: { type: "AWS::SecretsManager::Secret" },
      ApiUrl: { type: "AWS::Lambda::Url" },
      QueuePolicy: { type: "AWS::SQS::QueuePolicy" },
      LagAlarm: { type: "AWS::CloudWatch::Alarm" },
      KafkaMapping: { type: "AWS::Lambda::EventSourceMapping", reason: expect.stringMatching(/not Kafka/) },
    });
    expect(adapted.Resources.QueueMapping?.Type).toBe("AWS::Lambda::EventSourceMapping");
  });

  it("drops the IAM statements on left-out resources and keeps the rest of the policy", () => {
    const document = adapted.Resources.ConsumerPolicy?.Properties?.PolicyDocument as {
      Statement: { Action: string; Resource: unknown }[];
    };
    expect(document.Statement).toEqual([
      { Action: "dynamodb:GetItem", Effect: "Allow", Resource: { "Fn::GetAtt": ["StateTable", "Arn"] } },
      { Action: "sqs:SendMessage", Effect: "Allow", Resource: { "Fn::GetAtt": ["Queue", "Arn"] } },
    ]);
  });

  it("leaves out what refers to a left-out resource, and the outputs that do", () => {
    expect(report.leftOut.Dashboard).toEqual({
      type: "AWS::CloudWatch::Dashboard",
      reason: "refers to LagAlarm, which is left out",
    });
    expect(report.leftOut.SecretOnlyPolicy?.reason).toBe("its policy covered only left-out resources");
    expect(Object.keys(adapted.Outputs ?? {})).toEqual(["QueueUrl"]);
    expect(report.outputsLeftOut).toEqual({ ApiUrl: "refers to a left-out resource" });
  });

  it("keeps every other resource, without dependencies on left-out ones, and records the changes in the template", () => {
    expect(Object.keys(adapted.Resources).sort()).toEqual(
      ["ConsumerPolicy", "Function", "Queue", "QueueMapping", "StateTable"].sort(),
    );
    expect(adapted.Resources.Function?.DependsOn).toEqual(["ConsumerPolicy"]);
    expect(adapted.Metadata?.["theworldshop:emulator"]).toEqual(report);
    expect(original.Resources.StateTable?.Type).toBe("AWS::DynamoDB::GlobalTable");
  });
});

describe("the template for LocalStack", () => {
  const { template: adapted, report } = adaptTemplateForEmulator(original, "localstack");

  it("leaves out only the Kafka event source mappings, a paid LocalStack feature", () => {
    expect(Object.keys(report.leftOut)).toEqual(["KafkaMapping"]);
    expect(report.substituted).toEqual({});
    expect(adapted.Resources.StateTable?.Type).toBe("AWS::DynamoDB::GlobalTable");
    expect(Object.keys(adapted.Outputs ?? {}).sort()).toEqual(["ApiUrl", "QueueUrl"]);
  });
});
