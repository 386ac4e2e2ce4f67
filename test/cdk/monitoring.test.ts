import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { OUTBOX_AGE_METRIC, PipelineMonitoring } from "../../lib/constructs/pipeline-monitoring";
import { addFixtureConsumer, consumerTestStack, SOURCES, streamingStack } from "./fixtures/stacks";

const opsTopic = { Ref: Match.stringLikeRegexp("^MonitoringOpsTopic") };
const notifiesOps = { AlarmActions: [opsTopic], OKActions: [opsTopic] };

describe("the pipeline's monitoring", () => {
  it("alarms to the ops topic when a consumer falls behind, fails or is throttled", () => {
    const stack = streamingStack({
      "theworldshop:kafka": SOURCES.mskIam,
      "theworldshop:alarms": { offsetLag: 5000 },
    });
    addFixtureConsumer(stack);
    const template = Template.fromStack(stack);

    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      ...notifiesOps,
      Metrics: [
        Match.objectLike({
          Expression: {
            "Fn::Join": [
              "",
              [
                `SELECT MAX(OffsetLag) FROM "AWS/Lambda" WHERE FunctionName = '`,
                { Ref: Match.stringLikeRegexp("^FixtureFunction") },
                "'",
              ],
            ],
          },
          Period: 60,
        }),
      ],
      Threshold: 5000,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
    });
    for (const metricName of ["Errors", "Throttles"])
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        ...notifiesOps,
        Namespace: "AWS/Lambda",
        MetricName: metricName,
        Dimensions: [{ Name: "FunctionName", Value: { Ref: Match.stringLikeRegexp("^FixtureFunction") } }],
        Statistic: "Sum",
        Period: 300,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      });
  });

  it("alarms when a batch reaches the failed-batches queue or a record the rejected-records queue", () => {
    const template = Template.fromStack(streamingStack({ "theworldshop:kafka": SOURCES.selfManaged }));
    for (const queue of ["FailedBatches", "RejectedRecords"])
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        ...notifiesOps,
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [
          { Name: "QueueName", Value: { "Fn::GetAtt": [Match.stringLikeRegexp(`^${queue}`), "QueueName"] } },
        ],
        Statistic: "Maximum",
        Threshold: 1,
      });
  });

  it(`alarms when the oldest unpublished alert (${OUTBOX_AGE_METRIC}) is older than the configured age`, () => {
    const template = Template.fromStack(
      streamingStack({
        "theworldshop:kafka": SOURCES.selfManaged,
        "theworldshop:alarms": { outboxAgeSeconds: 120 },
      }),
    );
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      ...notifiesOps,
      Metrics: [
        Match.objectLike({
          Expression: 'SELECT MAX(OutboxOldestAgeSeconds) FROM "TheWorldShop/Streaming"',
          Period: 60,
        }),
      ],
      Threshold: 120,
    });
  });

  it("monitors consumers created before it and after it, each once", () => {
    const { stack, consumer, stateTable, rejectedRecords, failedBatches, alertTopic, topicKey } =
      consumerTestStack();
    const before = consumer("Inventory", {
      topic: "theworldshop.inventory",
      tables: [stateTable("A")],
    });
    const monitoring = new PipelineMonitoring(stack, "Monitoring", {
      alertTopic,
      rejectedRecords,
      failedBatches,
      topicKey,
    });
    consumer("Sessions", { topic: "theworldshop.clicks", tables: [stateTable("B")] });
    monitoring.monitor(before);

    const alarms = Template.fromStack(stack).findResources("AWS::CloudWatch::Alarm");
    expect(
      Object.keys(alarms)
        .map((id) => id.replace(/^Monitoring(\w+)[0-9A-F]{8}$/, "$1"))
        .sort(),
    ).toEqual(
      [
        "FailedBatches",
        "RejectedRecords",
        "OutboxAge",
        "InventoryOffsetLag",
        "InventoryErrors",
        "InventoryThrottles",
        "ClicksOffsetLag",
        "ClicksErrors",
        "ClicksThrottles",
      ].sort(),
    );
    expect(monitoring.alarms).toHaveLength(9);
  });

  it("alarms when the sessions sweeper or a read API fails", () => {
    const template = Template.fromStack(streamingStack({ "theworldshop:kafka": SOURCES.selfManaged }));
    for (const fn of [
      "SessionsSweeper",
      "InventoryAvailabilityApiFunction",
      "CardVelocityDecisionsApiFunction",
      "OrdersOrdersPerMinuteApiFunction",
    ])
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        ...notifiesOps,
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: { Ref: Match.stringLikeRegexp(`^${fn}[0-9A-F]{8}$`) } }],
        Threshold: 1,
      });
  });

  it("shows every consumer and the shared queues on one dashboard", () => {
    const stack = streamingStack({ "theworldshop:kafka": SOURCES.selfManaged });
    addFixtureConsumer(stack);
    const dashboards = Object.values(Template.fromStack(stack).findResources("AWS::CloudWatch::Dashboard"));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const text of [
      "fixture: records behind theworldshop.fixture",
      "fixture: invocations",
      "Failed batches / rejected records waiting",
      "Oldest unpublished alert",
      "Alerts published",
    ])
      expect(body).toContain(text);
    expect(body).toMatch(/"Ref":"FixtureFunction[0-9A-F]{8}"/);
  });
});
