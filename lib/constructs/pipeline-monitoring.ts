import { Duration, Stack } from "aws-cdk-lib";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { type KafkaConsumer, METRICS_NAMESPACE, onKafkaConsumer } from "./kafka-consumer";

/** The EMF metric the engine publishes per invocation that reported a partial batch failure (1) or none (0). */
export const BATCHES_INCOMPLETE_METRIC = "BatchesIncomplete";
/** Minutes without a completed batch while records wait before a consumer's stall alarm fires. */
const STALL_MINUTES = 4;

/**
 * 1 for a minute in which the consumer had records waiting (OffsetLag > 0) and no invocation completed its batch
 * (invocations less errors less partial failures ≤ 0), else 0. Its retries then go on without limit: nothing
 * else would page. The engine's metric carries the function's Powertools service name, the consumer's name.
 */
function stalledMetric(consumer: KafkaConsumer): MathExpression {
  const perMinute = { period: Duration.minutes(1), statistic: Stats.SUM };
  return new MathExpression({
    expression:
      "IF(FILL(lag, 0) > 0 AND FILL(invocations, 0) - FILL(errors, 0) - FILL(incomplete, 0) <= 0, 1, 0)",
    usingMetrics: {
      // Lambda publishes OffsetLag (and every function metric) with the FunctionName dimension alone too.
      lag: new Metric({
        namespace: "AWS/Lambda",
        metricName: "OffsetLag",
        dimensionsMap: { FunctionName: consumer.function.functionName },
        period: Duration.minutes(1),
        statistic: Stats.MINIMUM,
      }),
      invocations: consumer.function.metricInvocations(perMinute),
      errors: consumer.function.metricErrors(perMinute),
      incomplete: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: BATCHES_INCOMPLETE_METRIC,
        dimensionsMap: { service: consumer.consumerName },
        ...perMinute,
      }),
    },
    period: Duration.minutes(1),
    label: `${consumer.consumerName} stalled`,
  });
}

/** The EMF metric the engine publishes: age of the oldest alert still waiting in any outbox. */
export const OUTBOX_AGE_METRIC = "OutboxOldestAgeSeconds";

export interface PipelineMonitoringProps {
  /** The topic every consumer publishes alerts to (its publish rate goes on the dashboard). */
  readonly alertTopic: ITopic;
  /** Records that failed their schema. */
  readonly rejectedRecords: IQueue;
  /** Alert-log deliveries Lambda gave up on (no Kafka consumer gives up on a batch). */
  readonly failedAlertDeliveries: IQueue;
  /** Customer-managed key for the ops topic; CloudWatch alarms are granted its use to publish. */
  readonly topicKey: IKey;
  /**
   * Records a consumer group may lag behind its topic (OffsetLag, Maximum) for 5 minutes.
   * @default 1000
   */
  readonly offsetLagThreshold?: number;
  /**
   * Seconds the oldest unpublished alert may wait in an outbox.
   * @default 300
   */
  readonly outboxAgeThresholdSeconds?: number;
}

/**
 * The pipeline's alarms (to the ops topic) and its dashboard. Every KafkaConsumer of the stack, created before
 * or after this construct, gets its offset-lag, error and throttle alarms and a dashboard row.
 */
export class PipelineMonitoring extends Construct {
  /** Where every alarm of the pipeline notifies, on ALARM and on OK. */
  public readonly opsTopic: Topic;
  public readonly dashboard: Dashboard;
  /** Every alarm, shared ones first, then four per consumer. */
  public readonly alarms: Alarm[] = [];
  private readonly props: PipelineMonitoringProps;
  private readonly monitored = new Set<KafkaConsumer>();

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    this.props = props;
    const offsetLag = props.offsetLagThreshold ?? 1000;
    const outboxAge = props.outboxAgeThresholdSeconds ?? 300;
    if (!Number.isInteger(offsetLag) || offsetLag < 1)
      throw new Error(
        `PipelineMonitoring ${id}: offsetLagThreshold must be a positive integer, got ${offsetLag}`,
      );
    if (!Number.isInteger(outboxAge) || outboxAge < 60)
      throw new Error(`PipelineMonitoring ${id}: outboxAgeThresholdSeconds must be ≥ 60, got ${outboxAge}`);
    this.opsTopic = new Topic(this, "OpsTopic", {
      displayName: "TheWorldShop streaming pipeline alarms",
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    // CloudWatch publishes alarm notifications itself, so it must be able to use the topic's key: for this
    // account's alarms only, so that no alarm of another account can have it encrypt to the topic.
    const { account, region, partition } = Stack.of(this);
    props.topicKey.grant(
      new ServicePrincipal("cloudwatch.amazonaws.com").withConditions({
        StringEquals: { "aws:SourceAccount": account },
        ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
      }),
      "kms:Decrypt",
      "kms:GenerateDataKey*",
    );
    this.dashboard = new Dashboard(this, "Dashboard", { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          "# TheWorldShop streaming\nKafka topics → Lambda consumers (exactly-once state in DynamoDB) → alerts on SNS. " +
          "What each alarm means: docs/deploy.md.",
        width: 24,
        height: 2,
      }),
    );
    this.addSharedAlarms(outboxAge);
    onKafkaConsumer(this, (consumer) => this.monitor(consumer));
  }

  /** Adds a consumer's alarms and dashboard row; a consumer already monitored is left as it is. */
  public monitor(consumer: KafkaConsumer): void {
    if (this.monitored.has(consumer)) return;
    this.monitored.add(consumer);
    const name = consumer.consumerName;
    const functionName = consumer.function.functionName;
    // Lambda publishes OffsetLag per function (and per mapping): the query takes the largest, whichever it finds.
    const offsetLag = new MathExpression({
      expression: `SELECT MAX(OffsetLag) FROM "AWS/Lambda" WHERE FunctionName = '${functionName}'`,
      period: Duration.minutes(1),
      label: `${name} records behind`,
    });
    const threshold = this.props.offsetLagThreshold ?? 1000;
    const id = name.replace(/(^|-)([a-z])/g, (_, _dash, letter: string) => letter.toUpperCase());
    const lag = this.alarm(`${id}OffsetLag`, offsetLag, {
      threshold,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      description: `${name}: consumer group ${consumer.consumerGroupId} has been more than ${threshold} records behind ${consumer.topic} for 5 minutes`,
    });
    const errors = this.alarm(
      `${id}Errors`,
      consumer.function.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        description: `${name}: invocations failed in the last 5 minutes; their batches are retried until they succeed`,
      },
    );
    const throttles = this.alarm(
      `${id}Throttles`,
      consumer.function.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        description: `${name}: invocations were throttled in the last 5 minutes (account or reserved concurrency)`,
      },
    );
    const stalled = this.alarm(`${id}Stalled`, stalledMetric(consumer), {
      threshold: 1,
      evaluationPeriods: STALL_MINUTES,
      description: `${name}: no batch of ${consumer.topic} completed for ${STALL_MINUTES} minutes while records wait (a partition is stalled; nothing is skipped)`,
    });
    this.dashboard.addWidgets(
      new GraphWidget({ title: `${name}: records behind ${consumer.topic}`, left: [offsetLag], width: 8 }),
      new GraphWidget({
        title: `${name}: invocations`,
        left: [
          consumer.function.metricInvocations({ statistic: Stats.SUM, period: Duration.minutes(1) }),
          consumer.function.metricErrors({ statistic: Stats.SUM, period: Duration.minutes(1) }),
          consumer.function.metricThrottles({ statistic: Stats.SUM, period: Duration.minutes(1) }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: `${name}: duration`,
        left: [consumer.function.metricDuration({ statistic: Stats.p(99), period: Duration.minutes(1) })],
        width: 4,
      }),
      new AlarmStatusWidget({ title: `${name} alarms`, alarms: [lag, errors, throttles, stalled], width: 4 }),
    );
  }

  /** An errors alarm and a dashboard graph for a function that is no Kafka consumer (a sweeper, a read API). */
  public monitorFunction(fn: IFunction, name: string): void {
    const id = name.replace(/[^A-Za-z0-9]/g, "");
    const errors = this.alarm(
      `${id}Errors`,
      fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        description: `${name}: invocations failed in the last 5 minutes`,
      },
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: `${name}: invocations`,
        left: [
          fn.metricInvocations({ statistic: Stats.SUM, period: Duration.minutes(1) }),
          fn.metricErrors({ statistic: Stats.SUM, period: Duration.minutes(1) }),
        ],
        width: 20,
      }),
      new AlarmStatusWidget({ title: `${name} alarm`, alarms: [errors], width: 4 }),
    );
  }

  private addSharedAlarms(outboxAge: number): void {
    const { failedAlertDeliveries, rejectedRecords, alertTopic } = this.props;
    const depth = (queue: IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(1),
      });
    const failed = this.alarm("FailedAlertDeliveries", depth(failedAlertDeliveries), {
      threshold: 1,
      evaluationPeriods: 1,
      description:
        "The alert log gave up on an alert delivery after its retries: the dashboard's alert log misses it (the alert itself went out on SNS)",
    });
    const rejected = this.alarm("RejectedRecords", depth(rejectedRecords), {
      threshold: 1,
      evaluationPeriods: 1,
      description:
        "Records failed their schema and wait in the rejected-records queue (the partitions went on)",
    });
    // Metrics Insights finds the metric whatever dimensions the engine publishes it with.
    const oldestOutbox = new MathExpression({
      expression: `SELECT MAX(${OUTBOX_AGE_METRIC}) FROM "${METRICS_NAMESPACE}"`,
      period: Duration.minutes(1),
      label: "oldest unpublished alert (s)",
    });
    const outbox = this.alarm("OutboxAge", oldestOutbox, {
      threshold: outboxAge,
      evaluationPeriods: 1,
      description: `An alert has waited more than ${outboxAge} s in an outbox: SNS publishing is failing or the relay is not running`,
    });
    const alertsPublished = new Metric({
      namespace: "AWS/SNS",
      metricName: "NumberOfMessagesPublished",
      dimensionsMap: { TopicName: alertTopic.topicName },
      statistic: Stats.SUM,
      period: Duration.minutes(1),
      label: "alerts published",
    });
    this.dashboard.addWidgets(
      new GraphWidget({ title: "Alerts published", left: [alertsPublished], width: 6 }),
      new GraphWidget({
        title: "Failed alert deliveries / rejected records waiting",
        left: [
          depth(failedAlertDeliveries).with({ label: "failed alert deliveries" }),
          depth(rejectedRecords).with({ label: "rejected records" }),
        ],
        width: 6,
      }),
      new GraphWidget({ title: "Oldest unpublished alert (s)", left: [oldestOutbox], width: 6 }),
      new AlarmStatusWidget({ title: "Pipeline alarms", alarms: [failed, rejected, outbox], width: 6 }),
    );
  }

  private alarm(
    id: string,
    metric: IMetric,
    options: {
      threshold: number;
      evaluationPeriods: number;
      description: string;
      comparison?: ComparisonOperator;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.evaluationPeriods,
      comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${Stack.of(this).stackName} — ${options.description}. What to do: docs/deploy.md, "Alarms".`,
    });
    alarm.addAlarmAction(new SnsAction(this.opsTopic));
    alarm.addOkAction(new SnsAction(this.opsTopic));
    this.alarms.push(alarm);
    return alarm;
  }
}
