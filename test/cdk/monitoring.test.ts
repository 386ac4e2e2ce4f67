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

  it("has a stall alarm per state consumer: no completed batch for 4 minutes while its lag is above zero", () => {
    const template = Template.fromStack(streamingStack({ "theworldshop:kafka": SOURCES.selfManaged }));
    const stalled = Object.entries(template.findResources("AWS::CloudWatch::Alarm")).filter(([id]) =>
      /^Monitoring\w+Stalled[0-9A-F]{8}$/.test(id),
    );
    expect(stalled.map(([id]) => id.replace(/^Monitoring(\w+)Stalled.*$/, "$1")).sort()).toEqual([
      "Clicks",
      "FraudSignals",
      "Inventory",
      "Orders",
    ]);
    for (const [, alarm] of stalled) {
      const ops = [{ Ref: expect.stringMatching(/^MonitoringOpsTopic/) }];
      expect(alarm.Properties).toMatchObject({
        AlarmActions: ops,
        OKActions: ops,
        Threshold: 1,
        EvaluationPeriods: 4,
        DatapointsToAlarm: 4,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      });
      const metrics = alarm.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: unknown }[];
      expect(metrics.find((m) => m.Expression)?.Expression).toBe(
        "IF(FILL(lag, 0) > 0 AND FILL(invocations, 0) - FILL(errors, 0) - FILL(incomplete, 0) <= 0, 1, 0)",
      );
      const stat = (id: string) => metrics.find((m) => m.Id === id)?.MetricStat;
      expect(stat("lag")).toMatchObject({
        Metric: { Namespace: "AWS/Lambda", MetricName: "OffsetLag" },
        Period: 60,
        Stat: "Minimum",
      });
      expect(stat("invocations")).toMatchObject({ Metric: { MetricName: "Invocations" }, Stat: "Sum" });
      expect(stat("errors")).toMatchObject({ Metric: { MetricName: "Errors" }, Stat: "Sum" });
      expect(stat("incomplete")).toMatchObject({
        Metric: { Namespace: "TheWorldShop/Streaming", MetricName: "BatchesIncomplete" },
        Stat: "Sum",
      });
    }
  });

  it("alarms when a record reaches the rejected-records queue or an alert delivery the failed-deliveries queue", () => {
    const template = Template.fromStack(streamingStack({ "theworldshop:kafka": SOURCES.selfManaged }));
    for (const queue of ["FailedAlertDeliveries", "RejectedRecords"])
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
    const { stack, consumer, stateTable, rejectedRecords, failedAlertDeliveries, alertTopic, topicKey } =
      consumerTestStack();
    const before = consumer("Inventory", {
      topic: "theworldshop.inventory",
      tables: [stateTable("A")],
    });
    const monitoring = new PipelineMonitoring(stack, "Monitoring", {
      alertTopic,
      rejectedRecords,
      failedAlertDeliveries,
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
        "FailedAlertDeliveries",
        "RejectedRecords",
        "OutboxAge",
        "InventoryOffsetLag",
        "InventoryErrors",
        "InventoryThrottles",
        "InventoryStalled",
        "ClicksOffsetLag",
        "ClicksErrors",
        "ClicksThrottles",
        "ClicksStalled",
      ].sort(),
    );
    expect(monitoring.alarms).toHaveLength(11);
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
      "Failed alert deliveries / rejected records waiting",
      "Oldest unpublished alert",
      "Alerts published",
    ])
      expect(body).toContain(text);
    expect(body).toMatch(/"Ref":"FixtureFunction[0-9A-F]{8}"/);
  });
});
