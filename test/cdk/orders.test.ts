import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";
import { HANDLER_METADATA } from "../../lib/constructs/kafka-consumer";

const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({
    context: { "aws:cdk:bundling-stacks": [], "theworldshop:kafka": kafka, ...context },
  });
  return Template.fromStack(buildStreamingApp(app));
}

function ordersTableRef(template: Template): { Ref: string } {
  const [consumer] = Object.values(
    template.findResources("AWS::Lambda::Function", {
      Metadata: { [HANDLER_METADATA]: { entry: "functions/orders/handler.ts" } },
    }),
  );
  return (consumer!.Properties as { Environment: { Variables: { STATE_TABLE_NAME: { Ref: string } } } })
    .Environment.Variables.STATE_TABLE_NAME;
}

describe("the orders consumer's stack", () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  }, 120_000);

  it("reads theworldshop.orders in batches of 500 with partial batch failures, retried without limit", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      Topics: ["theworldshop.orders"],
      BatchSize: 500,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRetryAttempts: -1,
      DestinationConfig: Match.absent(),
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "theworldshop-orders" },
    });
  });

  it("keeps its state in its own table with TTL on expiresAt", () => {
    const table = ordersTableRef(template);
    const tables = template.findResources("AWS::DynamoDB::GlobalTable");

    expect(tables[table.Ref]?.Properties).toMatchObject({
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    expect(table.Ref).not.toMatch(/^Availability/);
  });

  it("passes the seller thresholds and partition count from context theworldshop:orders to the functions", () => {
    const tuned = synth({
      "theworldshop:orders": { cancellationRate: 0.3, minimumPlaced: 25, partitions: 24 },
    });

    tuned.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          ORDERS_CANCELLATION_RATE: "0.3",
          ORDERS_MINIMUM_PLACED: "25",
          ORDERS_LATE_MINUTES: "5",
          STATE_TABLE_NAME: ordersTableRef(tuned),
        }),
      },
    });
    expect(() => synth({ "theworldshop:orders": { cancellationRate: 20 } })).toThrow(
      /theworldshop:orders\.cancellationRate/,
    );
  });

  it("serves orders per minute behind a Function URL with AWS_IAM auth, read-only on the state table", () => {
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "AWS_IAM" });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ ORDERS_PARTITIONS: "12", STATE_TABLE_NAME: ordersTableRef(template) }),
      },
    });
    const [apiRole] = Object.entries(template.findResources("AWS::IAM::Policy")).filter(([id]) =>
      id.startsWith("OrdersOrdersPerMinuteApi"),
    );
    const actions = JSON.stringify(apiRole?.[1].Properties);
    expect(actions).toContain("dynamodb:BatchGetItem");
    expect(actions).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/);
  });
});
