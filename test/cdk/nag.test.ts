import { Validations } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { acknowledgeFunctionFindings } from "../../lib/constructs/function-findings";
import {
  addFixtureConsumer,
  consumerTestStack,
  FIXTURE_ENTRY,
  PROD_CONTEXT,
  SOURCES,
  streamingStack,
} from "./fixtures/stacks";

const subscriptions = {
  "theworldshop:alertSubscriptions": [
    { protocol: "email", endpoint: "stock@theworldshop.example", filter: { alertType: ["OUT_OF_STOCK"] } },
    { protocol: "sqs", endpoint: "arn:aws:sqs:eu-west-1:123456789012:storefront-alerts" },
    { protocol: "lambda", endpoint: "arn:aws:lambda:eu-west-1:123456789012:function:page-the-fraud-team" },
    { protocol: "https", endpoint: "https://hooks.theworldshop.example/alerts" },
    { protocol: "sms", endpoint: "+4915112345678", filter: { severity: ["critical"] } },
  ],
  "theworldshop:opsSubscriptions": [{ protocol: "email", endpoint: "oncall@theworldshop.example" }],
};

/** Every finding cdk-nag's AwsSolutions pack reports and nobody acknowledged, as "rule at path". */
function unacknowledgedFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) => `${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId}`,
    ),
  );
}

/** Every acknowledgement in the tree with its reason, so none can be silent. */
function acknowledgements(scope: IConstruct): { path: string; id: string; reason: unknown }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

const CASES = {
  "self-managed brokers over the internet (the stack's own secret)": {
    "theworldshop:kafka": SOURCES.selfManaged,
  },
  "self-managed brokers in a VPC": { "theworldshop:kafka": SOURCES.selfManagedInVpc },
  "MSK with IAM auth, prod, every kind of subscription": {
    "theworldshop:kafka": SOURCES.mskIam,
    ...PROD_CONTEXT,
    ...subscriptions,
  },
  "MSK with SASL/SCRAM": { "theworldshop:kafka": SOURCES.mskScram },
};

describe("cdk-nag AwsSolutions checks", () => {
  it.each(Object.entries(CASES))("find nothing unacknowledged in the streaming stack: %s", (_, context) => {
    const stack = streamingStack(context);
    // A consumer the way the consumer files add theirs; the stack's own consumers are checked with it.
    addFixtureConsumer(stack);

    expect(unacknowledgedFindings(stack)).toEqual([]);
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError("*", Match.anyValue())).toEqual([]);
    expect(annotations.findWarning("*", Match.anyValue())).toEqual([]);
  });

  it("find nothing unacknowledged in a bare stack with a consumer of each kind of source", () => {
    for (const source of Object.values(SOURCES)) {
      const { stack, consumer, stateTable, secret } = consumerTestStack(source);
      if (secret)
        Validations.of(secret).acknowledge({ id: "AwsSolutions-SMG4", reason: "a test stack's secret" });
      for (const id of ["RejectedRecords", "FailedAlertDeliveries"])
        Validations.of(stack.node.findChild(id)).acknowledge({
          id: "AwsSolutions-SQS3",
          reason: "a test stack's error queue",
        });
      consumer("Inventory", { topic: "theworldshop.inventory", tables: [stateTable("Availability")] });

      expect(unacknowledgedFindings(stack)).toEqual([]);
    }
  });

  it("report what nobody acknowledged, such as a queue without encryption or SSL-only policy", () => {
    const stack = streamingStack({ "theworldshop:kafka": SOURCES.mskIam });
    new Queue(stack, "Careless", { encryption: QueueEncryption.UNENCRYPTED });

    const findings = unacknowledgedFindings(stack);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) expect(finding).toMatch(/^AwsSolutions-SQS\d at .*Careless/);
  });

  it("leave a function's '*' resource a finding unless only X-Ray's actions have it", () => {
    const { stack } = consumerTestStack();
    const role = new Role(stack, "CarelessRole", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    const fn = new NodejsFunction(stack, "Careless", {
      entry: FIXTURE_ENTRY,
      runtime: Runtime.NODEJS_22_X,
      tracing: Tracing.ACTIVE,
      role,
    });
    fn.addToRolePolicy(new PolicyStatement({ actions: ["s3:GetObject"], resources: ["*"] }));
    acknowledgeFunctionFindings(fn);

    expect(unacknowledgedFindings(role)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] at .*Careless/),
    ]);
  });

  it("fail synth when a '*' resource is granted to a role after its acknowledgement", () => {
    const stack = streamingStack({ "theworldshop:kafka": SOURCES.mskIam });
    stack.outboxRelay.function.addToRolePolicy(
      new PolicyStatement({ actions: ["dynamodb:Scan"], resources: ["*"] }),
    );

    expect(() => Template.fromStack(stack)).toThrow(
      /AwsSolutions-IAM5\[Resource::\*\] is acknowledged on .*OutboxRelay.*now holds more/,
    );
  });

  it("fail synth when a '*' resource is granted to a consumer's role after its acknowledgement", () => {
    const { stack, consumer, stateTable } = consumerTestStack();
    const inventory = consumer("Inventory", { topic: "theworldshop.inventory", tables: [stateTable("A")] });
    inventory.role.addToPrincipalPolicy(new PolicyStatement({ actions: ["sns:Publish"], resources: ["*"] }));

    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-IAM5\[Resource::\*\] is acknowledged/);
  });

  it("acknowledge each finding with a reason, on the resource it concerns, never on the stack", () => {
    const stack = streamingStack(CASES["MSK with IAM auth, prod, every kind of subscription"]);
    addFixtureConsumer(stack);
    const acks = acknowledgements(stack);

    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path).not.toBe(stack.node.path);
      expect(String(ack.reason).length).toBeGreaterThan(20);
    }
  });
});
