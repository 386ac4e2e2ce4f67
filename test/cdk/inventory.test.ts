import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";

const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };
function synth(context: Record<string, unknown> = {}): { template: Template; tableId: string } {
  const app = new App({
    context: { "aws:cdk:bundling-stacks": [], "theworldshop:kafka": kafka, ...context },
  });
  const stack = buildStreamingApp(app);
  const tableId = stack.getLogicalId(stack.availability.table.node.defaultChild as never);
  return { template: Template.fromStack(stack), tableId };
}

function functionByHandler(template: Template, entry: string): [string, Record<string, unknown>] {
  const functions = template.findResources("AWS::Lambda::Function", {
    Metadata: { "theworldshop:handler": { entry } },
  });
  const found = Object.entries(functions)[0];
  if (!found) throw new Error(`no function for ${entry}`);
  return found as [string, Record<string, unknown>];
}

describe("the inventory consumer's CDK", () => {
  it("maps the inventory topic to the consumer in batches of 500, retried without limit and never given up", () => {
    const { template } = synth();
    const [consumerId] = functionByHandler(template, "functions/inventory/handler.ts");

    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: consumerId },
      Topics: ["theworldshop.inventory"],
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 0,
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      DestinationConfig: Match.absent(),
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "theworldshop-inventory" },
    });
  });

  it("reads the topic named in the config", () => {
    const { template } = synth({ "theworldshop:topics": { inventory: "shop.stock" } });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", { Topics: ["shop.stock"] });
  });

  it("gives the consumer the availability table and the configured thresholds", () => {
    const { template, tableId } = synth({
      "theworldshop:inventory": { lowStockThreshold: 12, lowStockThresholds: { "P-1": 25 } },
    });

    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: {
          STATE_TABLE_NAME: { Ref: tableId },
          LOW_STOCK_THRESHOLD: "12",
          LOW_STOCK_THRESHOLDS: '{"P-1":25}',
          ALERT_TOPIC_ARN: Match.anyValue(),
          REJECTED_QUEUE_URL: Match.anyValue(),
        },
      },
    });
  });

  it("fails synth on an invalid threshold override, naming it", () => {
    expect(() => synth({ "theworldshop:inventory": { lowStockThresholds: { "P-1": 0 } } })).toThrow(
      /theworldshop:inventory\.lowStockThresholds\.P-1/,
    );
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`PRODUCT-${i}`, 25]));
    expect(() => synth({ "theworldshop:inventory": { lowStockThresholds: many } })).toThrow(
      /bytes of environment/,
    );
  });
});

describe("the availability API's CDK", () => {
  it("serves the API through a Function URL that requires IAM auth", () => {
    const { template } = synth();
    const api = Object.keys(
      template.findResources("AWS::Lambda::Function", {
        Properties: { Environment: { Variables: { AVAILABILITY_TABLE_NAME: Match.anyValue() } } },
      }),
    );

    expect(api).toHaveLength(1);
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "AWS_IAM",
      TargetFunctionArn: { "Fn::GetAtt": [api[0], "Arn"] },
    });
    expect(template.findResources("AWS::Lambda::Url", { Properties: { AuthType: "NONE" } })).toEqual({});
    expect(template.findResources("AWS::Lambda::Permission", { Properties: { Principal: "*" } })).toEqual({});
  });
});
