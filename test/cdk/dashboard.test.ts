import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AttributeType, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { SESSION_EXPIRY_INDEX } from "../../functions/sessions/expiry-index";
import { buildStreamingApp } from "../../lib/app";
import { StateTable } from "../../lib/constructs/state-table";
import { Dashboard } from "../../lib/dashboard";
import type { DashboardSettings } from "../../lib/dashboard-config";
import { decisionsByTimeIndex, stockAlertIndex } from "../../lib/dashboard-indexes";

interface Built {
  readonly stack: Stack;
  readonly dashboard: Dashboard;
  readonly ids: Record<"orders" | "availability" | "decisions" | "sessions" | "alertLog", string>;
}

/** The Dashboard construct in a stack of its own, with tables shaped like the consumers'. */
function build(app: App, settings: DashboardSettings = { allowedCidrs: [] }): Built {
  const stack = new Stack(app, "DashboardTest", { env: { account: "123456789012", region: "eu-west-1" } });
  const alertTopic = new Topic(stack, "Alerts", { enforceSSL: true });
  const failedDeliveries = new Queue(stack, "FailedBatches", { enforceSSL: true });
  Validations.of(failedDeliveries).acknowledge({
    id: "AwsSolutions-SQS3",
    reason: "the stack's failed-batches queue",
  });
  const orders = new StateTable(stack, "Orders", { stage: "dev" });
  const availability = new StateTable(stack, "Availability", {
    stage: "dev",
    extraIndexes: [stockAlertIndex()],
  });
  const sessions = new StateTable(stack, "Sessions", { stage: "dev" });
  const decisions = new TableV2(stack, "Decisions", {
    partitionKey: { name: "transactionId", type: AttributeType.STRING },
    globalSecondaryIndexes: [decisionsByTimeIndex()],
  });
  const dashboard = new Dashboard(stack, "Dashboard", {
    stage: "dev",
    settings,
    alertTopic,
    failedDeliveries,
    orders: orders.table,
    ordersPartitions: 12,
    availability: availability.table,
    decisions,
    sessions: sessions.table,
  });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return {
    stack,
    dashboard,
    ids: {
      orders: id(orders.table),
      availability: id(availability.table),
      decisions: id(decisions),
      sessions: id(sessions.table),
      alertLog: id(dashboard.alertLog.table),
    },
  };
}

const synth = (settings?: DashboardSettings) => {
  const built = build(new App({ context: { "aws:cdk:bundling-stacks": [] } }), settings);
  return { ...built, template: Template.fromStack(built.stack) };
};

describe("the ops dashboard's CDK", () => {
  it("serves the API through a Function URL that only IAM-signed requests reach", () => {
    const { template, stack, dashboard } = synth();
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "AWS_IAM",
      TargetFunctionArn: {
        "Fn::GetAtt": [stack.getLogicalId(dashboard.api.node.defaultChild as never), "Arn"],
      },
    });
    expect(
      Object.keys(template.findResources("AWS::Lambda::Url", { Properties: { AuthType: "NONE" } })),
    ).toEqual([]);
  });

  it("lets only the distribution invoke the Function URL, through an origin access control", () => {
    const { template } = synth();
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: "lambda",
        SigningBehavior: "always",
      }),
    });
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: "s3" }),
    });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunctionUrl",
      Principal: "cloudfront.amazonaws.com",
      SourceArn: Match.anyValue(),
    });
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [Match.objectLike({ PathPattern: "/api/*", ViewerProtocolPolicy: "https-only" })],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: "redirect-to-https" }),
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
  });

  it("keeps the page in an encrypted, SSL-only bucket with every kind of public access blocked", () => {
    const { template } = synth();
    const buckets = template.findResources("AWS::S3::Bucket");
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("admits no viewer until the ops team's networks are configured, then only those", () => {
    const closed = synth().template.findResources("AWS::CloudFront::Function");
    const open = synth({ allowedCidrs: ["203.0.113.0/24"] }).template.findResources(
      "AWS::CloudFront::Function",
    );
    expect(Object.values(closed)[0]!.Properties.FunctionCode).toContain("var ALLOWED = [];");
    expect(Object.values(open)[0]!.Properties.FunctionCode).toContain('var ALLOWED = ["203.0.113.0/24"];');
  });

  it("serves a custom domain with its certificate and requires TLS 1.2 when one is configured", () => {
    const { template } = synth({
      allowedCidrs: [],
      domain: {
        name: "ops.theworldshop.example",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      },
    });
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Aliases: ["ops.theworldshop.example"],
        ViewerCertificate: Match.objectLike({
          MinimumProtocolVersion: "TLSv1.2_2021",
          SslSupportMethod: "sni-only",
        }),
      }),
    });
  });

  it("gives the API exactly the reads it makes: minute shards by key and one index per table", () => {
    const { template, stack, dashboard, ids } = synth();
    const role = stack.getLogicalId(dashboard.api.role!.node.defaultChild as never);
    const policies = Object.values(
      template.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } }),
    );
    const statements = policies.flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const dynamodb = statements.filter((s) =>
      [s.Action].flat().some((action) => action.startsWith("dynamodb:")),
    );
    const indexArn = (table: string, index: string) => ({
      "Fn::Join": ["", [{ "Fn::GetAtt": [table, "Arn"] }, `/index/${index}`]],
    });
    expect(dynamodb).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: "dynamodb:BatchGetItem" }),
        expect.objectContaining({
          Action: "dynamodb:Query",
          Resource: indexArn(ids.availability, "stock-alert"),
        }),
        expect.objectContaining({
          Action: "dynamodb:Query",
          Resource: indexArn(ids.decisions, "decisions-by-time"),
        }),
        expect.objectContaining({
          Action: "dynamodb:Query",
          Resource: indexArn(ids.sessions, SESSION_EXPIRY_INDEX.name),
        }),
      ]),
    );
    const actions = new Set(dynamodb.flatMap((s) => [s.Action].flat()));
    expect(actions).toEqual(new Set(["dynamodb:BatchGetItem", "dynamodb:Query"]));
  });

  it("subscribes the alert log to the alert topic and lets it only put items", () => {
    const { template, stack, dashboard } = synth();
    const subscriber = stack.getLogicalId(dashboard.alertLog.subscriber.node.defaultChild as never);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "lambda",
      Endpoint: { "Fn::GetAtt": [subscriber, "Arn"] },
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: subscriber },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    const role = stack.getLogicalId(dashboard.alertLog.subscriber.role!.node.defaultChild as never);
    const statements = Object.values(
      template.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } }),
    ).flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]);
    const dynamodb = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith("dynamodb:"));
    expect(dynamodb).toEqual(["dynamodb:PutItem"]);
  });

  it("raises no cdk-nag AwsSolutions finding it does not acknowledge with a reason", () => {
    const outdir = mkdtempSync(join(tmpdir(), "dashboard-nag-"));
    const app = new App({ outdir, context: { "aws:cdk:bundling-stacks": [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    build(app);
    expect(unacknowledgedFindings(app)).toEqual([]);
  });
});

/** Synthesizes `app` and lists the validation report's violations as `rule at construct path`. */
function unacknowledgedFindings(app: App): string[] {
  try {
    app.synth();
    return [];
  } catch (error) {
    const report = JSON.parse(readFileSync(join(app.outdir, "validation-report.json"), "utf8")) as {
      pluginReports: {
        violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
      }[];
    };
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map(
          (construct) => `${violation.ruleName} at ${construct.constructPath}`,
        ),
      ),
    );
    if (findings.length === 0) throw error;
    return findings;
  }
}

describe("the ops dashboard in the streaming stack", () => {
  const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };

  it("reads the stack's own tables, through the indexes the stack gives them", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [], "theworldshop:kafka": kafka } });
    const stack = buildStreamingApp(app);
    const template = Template.fromStack(stack);
    const ref = (table: { node: { defaultChild?: unknown } }) => ({
      Ref: stack.getLogicalId(table.node.defaultChild as never),
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          ORDERS_TABLE_NAME: ref(stack.orders.state.table),
          ORDERS_PARTITIONS: String(stack.config.orders.partitions),
          STOCK_TABLE_NAME: ref(stack.availability.table),
          DECISIONS_TABLE_NAME: ref(stack.cardVelocity.decisions),
          SESSIONS_TABLE_NAME: ref(stack.sessions.state.table),
          ALERT_LOG_TABLE_NAME: ref(stack.dashboard.alertLog.table),
        }),
      },
    });
    const indexesOf = (table: { node: { defaultChild?: unknown } }) =>
      (
        template.toJSON().Resources[stack.getLogicalId(table.node.defaultChild as never)].Properties
          .GlobalSecondaryIndexes as { IndexName: string }[]
      ).map((index) => index.IndexName);
    expect(indexesOf(stack.availability.table)).toContain("stock-alert");
    expect(indexesOf(stack.cardVelocity.decisions)).toContain("decisions-by-time");
  });
});
