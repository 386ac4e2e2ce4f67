import { App } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";
import { addFixtureConsumer, PROD_CONTEXT, SOURCES, streamingStack } from "./fixtures/stacks";

const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };

function synth(context: Record<string, unknown>): Template {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [], ...context } });
  return Template.fromStack(buildStreamingApp(app));
}

/** The stack with one consumer, so that the "every resource of a type" checks never pass on nothing. */
function withConsumer(context: Record<string, unknown>): Template {
  const stack = streamingStack(context);
  addFixtureConsumer(stack);
  return Template.fromStack(stack);
}

type Resources = Record<string, { Properties: Record<string, unknown> }>;

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

  it("encrypts every topic with one rotated customer-managed key that CloudWatch alarms may use", () => {
    const template = synth({ "theworldshop:kafka": kafka });
    const keys = Object.keys(template.findResources("AWS::KMS::Key"));
    expect(keys).toHaveLength(1);
    template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            // Only this account's alarms: no alarm elsewhere can have CloudWatch use the key.
            Condition: {
              StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
              ArnLike: {
                "aws:SourceArn": {
                  "Fn::Join": [
                    "",
                    [
                      "arn:",
                      { Ref: "AWS::Partition" },
                      ":cloudwatch:",
                      { Ref: "AWS::Region" },
                      ":",
                      { Ref: "AWS::AccountId" },
                      ":alarm:*",
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
    const topics = template.findResources("AWS::SNS::Topic") as Resources;
    expect(Object.keys(topics)).toHaveLength(2);
    for (const topic of Object.values(topics))
      expect(topic.Properties.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [keys[0], "Arn"] });
    const topicPolicies = template.findResources("AWS::SNS::TopicPolicy") as Resources;
    expect(Object.keys(topicPolicies)).toHaveLength(2);
    for (const policy of Object.values(topicPolicies))
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it("keeps every queue encrypted, SSL-only, and its messages for 14 days", () => {
    const template = synth({ "theworldshop:kafka": kafka });
    const queues = template.findResources("AWS::SQS::Queue") as Resources;
    expect(Object.keys(queues).sort()).toEqual([
      expect.stringMatching(/^FailedAlertDeliveries/),
      expect.stringMatching(/^RejectedRecords/),
    ]);
    for (const queue of Object.values(queues))
      expect(queue.Properties).toMatchObject({
        KmsMasterKeyId: "alias/aws/sqs",
        MessageRetentionPeriod: 1209600,
      });
    const policies = Object.values(template.findResources("AWS::SQS::QueuePolicy") as Resources);
    expect(policies).toHaveLength(2);
    for (const policy of policies) expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
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
    for (const table of Object.values(template.findResources("AWS::DynamoDB::GlobalTable") as Resources))
      expect(table.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
      });
  });

  it("retains tables and protects them from deletion in prod", () => {
    const template = synth({ "theworldshop:kafka": kafka, ...PROD_CONTEXT });
    template.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
  });

  it("retains log groups, queues and the topic key in prod, and deletes them with the stack in dev", () => {
    const prod = withConsumer({ "theworldshop:kafka": kafka, ...PROD_CONTEXT });
    const dev = withConsumer({ "theworldshop:kafka": kafka });
    for (const type of ["AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::KMS::Key"]) {
      for (const resource of Object.values(prod.findResources(type)))
        expect(resource.DeletionPolicy).toBe("Retain");
      for (const resource of Object.values(dev.findResources(type)))
        expect(resource.DeletionPolicy).toBe("Delete");
    }
    dev.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Delete",
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }),
    });
  });

  it.each(Object.entries(SOURCES))(
    "gives every event source mapping the Kafka error handling (%s)",
    (_, source) => {
      const template = withConsumer({ "theworldshop:kafka": source });
      const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping") as Resources);
      expect(mappings.length).toBeGreaterThan(0);
      for (const mapping of mappings)
        expect(mapping.Properties).toMatchObject({
          StartingPosition: expect.any(String),
          ProvisionedPollerConfig: { MinimumPollers: expect.any(Number), MaximumPollers: expect.any(Number) },
          MaximumRetryAttempts: -1,
          BisectBatchOnFunctionError: true,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
          MaximumRecordAgeInSeconds: -1,
        });
    },
  );

  it.each(Object.entries(SOURCES))(
    "grants no wildcard action and no '*' resource on data (%s)",
    (_, source) => {
      const template = withConsumer({ "theworldshop:kafka": source });
      const policies = Object.values(template.findResources("AWS::IAM::Policy") as Resources);
      expect(policies.length).toBeGreaterThan(0);
      for (const policy of policies) {
        const statements = (
          policy.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement;
        for (const statement of statements) {
          const actions = [statement.Action].flat();
          expect(actions.filter((a) => a.includes("*") && a !== "kms:GenerateDataKey*")).toEqual([]);
          // Only X-Ray and the pollers' EC2 network interfaces have no resource-level permissions.
          if ([statement.Resource].flat().includes("*"))
            expect(actions.every((a) => /^(xray|ec2):/.test(a))).toBe(true);
        }
      }
    },
  );

  it.each(Object.entries(SOURCES))(
    "lets a service use a key, topic or queue only for this account's own resources (%s)",
    (_, source) => {
      const template = withConsumer({ "theworldshop:kafka": source, ...PROD_CONTEXT });
      const documents = [
        ...Object.values(template.findResources("AWS::KMS::Key") as Resources).map(
          (r) => r.Properties.KeyPolicy,
        ),
        ...["AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy"].flatMap((type) =>
          Object.values(template.findResources(type) as Resources).map((r) => r.Properties.PolicyDocument),
        ),
      ] as {
        Statement: {
          Effect: string;
          Principal?: { Service?: unknown };
          Condition?: Record<string, Record<string, unknown>>;
        }[];
      }[];
      const granted = documents
        .flatMap((document) => document.Statement)
        .filter((statement) => statement.Effect === "Allow" && statement.Principal?.Service);

      expect(granted.length).toBeGreaterThan(0);
      for (const statement of granted) {
        const keys = Object.values(statement.Condition ?? {}).flatMap((condition) => Object.keys(condition));
        expect(keys, JSON.stringify(statement)).toEqual(
          expect.arrayContaining(["aws:SourceAccount", "aws:SourceArn"]),
        );
      }
    },
  );

  it("warns at synth when the brokers are on the loopback interface, as the local cdk.json has them", () => {
    const stack = streamingStack({
      "theworldshop:kafka": { mode: "self-managed", bootstrapServers: ["127.0.0.1:9092"] },
    });
    Annotations.fromStack(stack).hasWarning(
      "*",
      Match.stringLikeRegexp("127\\.0\\.0\\.1:9092.*unreachable from Lambda"),
    );
  });

  it("fails synth with the name of a missing or invalid setting", () => {
    expect(() => synth({})).toThrow(/theworldshop:kafka/);
    expect(() =>
      synth({ "theworldshop:kafka": { mode: "self-managed", bootstrapServers: ["no-port"] } }),
    ).toThrow(/theworldshop:kafka\.bootstrapServers\.0: must be host:port/);
    expect(() => synth({ "theworldshop:kafka": kafka, "theworldshop:stage": "staging" })).toThrow(
      /theworldshop:stage/,
    );
    expect(() => synth({ "theworldshop:kafka": { ...SOURCES.mskScram, secretArn: undefined } })).toThrow(
      /theworldshop:kafka\.secretArn: is required when auth is sasl-scram/,
    );
    expect(() =>
      synth({ "theworldshop:kafka": kafka, "theworldshop:consumers": { orders: { batchSize: 20_000 } } }),
    ).toThrow(/theworldshop:consumers\.orders\.batchSize/);
    expect(() =>
      synth({
        "theworldshop:kafka": kafka,
        "theworldshop:alertSubscriptions": [{ protocol: "sms", endpoint: "0151 123" }],
      }),
    ).toThrow(/theworldshop:alertSubscriptions\.0\.endpoint: must be a phone number/);
    expect(() =>
      synth({
        "theworldshop:kafka": kafka,
        "theworldshop:sessions": { gapMinutes: 0 },
      }),
    ).toThrow(/theworldshop:sessions\.gapMinutes/);
  });
});
