import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicies,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { consumerTuningByTopic, type StreamingConfig } from "./config";
import { acknowledgeFunctionFindings } from "./constructs/function-findings";
import { KafkaConsumer, useConsumerTuning, useEngineSettings } from "./constructs/kafka-consumer";
import { kafkaSecretOf } from "./constructs/kafka-secret";
import { OutboxRelay } from "./constructs/outbox-relay";
import { PipelineMonitoring } from "./constructs/pipeline-monitoring";
import { onStateTable, StateTable } from "./constructs/state-table";
import { TopicSubscriptions } from "./constructs/topic-subscriptions";
import { CardVelocity } from "./consumers/card-velocity";
import { Inventory } from "./consumers/inventory";
import { Orders } from "./consumers/orders";
import { Sessions } from "./consumers/sessions";
import { Dashboard } from "./dashboard";
import { decisionsByTimeIndex, stockAlertIndex } from "./dashboard-indexes";

export interface StreamingStackProps extends StackProps {
  /** The validated TheWorldShop streaming config. */
  readonly config: StreamingConfig;
}

/** TheWorldShop's streaming pipeline: one Kafka consumer per topic, their state, alerts and error queues. */
export class StreamingStack extends Stack {
  public readonly config: StreamingConfig;
  /** Customer-managed key (rotated yearly) of the alert and ops topics; CloudWatch alarms may use it. */
  public readonly topicKey: Key;
  /** Every alert of every consumer; subscribers filter on the `alertType` and `severity` attributes. */
  public readonly alertTopic: Topic;
  /** Records that failed their schema, with topic, partition, offset, reason and the masked value. */
  public readonly rejectedRecords: Queue;
  /**
   * Alert-log deliveries Lambda gave up on (the dashboard's subscriber). No Kafka consumer has an on-failure
   * queue: their mappings retry without limit (docs/deploy.md, "Nothing is given up").
   */
  public readonly failedAlertDeliveries: Queue;
  /** Credentials the pollers use: the configured secret, or one the stack creates for self-managed brokers. */
  public readonly kafkaSecret?: ISecret;
  /** Storefront availability per product: `{ quantity, status, asOf }`, the inventory consumer's state. */
  public readonly availability: StateTable;
  /** Alarms of every consumer and of the shared queues, to the ops topic; the pipeline's dashboard. */
  public readonly monitoring: PipelineMonitoring;
  /** Publishes, every minute, the alerts left pending in the outbox of any state table of the stack. */
  public readonly outboxRelay: OutboxRelay;
  /** The inventory consumer and the storefront's availability API. */
  public readonly inventory: Inventory;
  /** Card velocity fraud: card windows, decisions and the decisions API for the payment service. */
  public readonly cardVelocity: CardVelocity;
  /** Click sessions: the sessions consumer, its sweeper and the ended sessions. */
  public readonly sessions: Sessions;
  /** Orders per minute and seller cancellation-rate alerts. */
  public readonly orders: Orders;
  /** The ops dashboard: alert log, one-call API and the page on CloudFront. */
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const prod = config.stage === "prod";
    useConsumerTuning(this, consumerTuningByTopic(config));
    useEngineSettings(this, config.engine);
    this.topicKey = new Key(this, "TopicKey", {
      description: "TheWorldShop streaming: encrypts the alert and ops topics",
      enableKeyRotation: true,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.alertTopic = new Topic(this, "Alerts", {
      displayName: "TheWorldShop streaming alerts",
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.outboxRelay = new OutboxRelay(this, "OutboxRelay", { alertTopic: this.alertTopic });
    // Covers every StateTable of the stack, those the consumers create later included.
    onStateTable(this, (stateTable) => this.outboxRelay.addStateTable(stateTable));
    const errorQueue = {
      encryption: QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    };
    this.rejectedRecords = new Queue(this, "RejectedRecords", errorQueue);
    this.failedAlertDeliveries = new Queue(this, "FailedAlertDeliveries", errorQueue);
    for (const queue of [this.rejectedRecords, this.failedAlertDeliveries])
      Validations.of(queue).acknowledge({
        id: "AwsSolutions-SQS3",
        reason:
          "this queue is itself where failed records end up; an operator drains it, alarmed on its depth",
      });
    this.kafkaSecret = kafkaSecretOf(this, config.kafka);
    this.availability = new StateTable(this, "Availability", {
      stage: config.stage,
      extraIndexes: [stockAlertIndex()],
    });
    this.inventory = new Inventory(this, "Inventory", {
      config: props.config,
      availability: this.availability,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
      kafkaSecret: this.kafkaSecret,
    });
    this.sessions = new Sessions(this, "Sessions", {
      config: props.config,
      secret: this.kafkaSecret,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
    });
    this.cardVelocity = new CardVelocity(this, "CardVelocity", {
      config: props.config,
      secret: this.kafkaSecret,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
    });
    this.cardVelocity.decisions.addGlobalSecondaryIndex(decisionsByTimeIndex());
    this.orders = new Orders(this, "Orders", {
      config: props.config,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
      kafkaSecret: this.kafkaSecret,
    });
    this.dashboard = new Dashboard(this, "Dashboard", {
      stage: config.stage,
      settings: config.dashboard,
      alertTopic: this.alertTopic,
      failedDeliveries: this.failedAlertDeliveries,
      orders: this.orders.state.table,
      ordersPartitions: config.orders.partitions,
      availability: this.availability.table,
      decisions: this.cardVelocity.decisions,
      sessions: this.sessions.state.table,
    });

    this.monitoring = new PipelineMonitoring(this, "Monitoring", {
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
      failedAlertDeliveries: this.failedAlertDeliveries,
      topicKey: this.topicKey,
      offsetLagThreshold: config.alarms.offsetLag,
      outboxAgeThresholdSeconds: config.alarms.outboxAgeSeconds,
    });
    new TopicSubscriptions(this, "AlertSubscriptions", {
      topic: this.alertTopic,
      subscriptions: config.alertSubscriptions,
    });
    new TopicSubscriptions(this, "OpsSubscriptions", {
      topic: this.monitoring.opsTopic,
      subscriptions: config.opsSubscriptions,
    });
    // Tables retain themselves in prod (StateTable); logs and the error queues are evidence worth keeping too.
    if (prod)
      RemovalPolicies.of(this).retain({ applyToResourceTypes: ["AWS::Logs::LogGroup", "AWS::SQS::Queue"] });
    this.warnAboutLoopbackBrokers();
    this.addOutputs();
    // Last, once every consumer and function above exists: the API and sweeper functions' alarm and checked findings.
    for (const fn of this.node.findAll()) {
      if (!(fn instanceof LambdaFunction) || fn.node.scope instanceof KafkaConsumer) continue;
      this.monitoring.monitorFunction(fn, fn.node.path.split("/").slice(1).join(" "));
      acknowledgeFunctionFindings(fn);
    }
  }

  private warnAboutLoopbackBrokers(): void {
    const { kafka } = this.config;
    const loopback =
      kafka.mode === "self-managed" &&
      kafka.bootstrapServers.filter((b) => /^(127\.|localhost:|0\.0\.0\.0:)/.test(b));
    if (loopback && loopback.length > 0)
      Annotations.of(this).addWarningV2(
        "theworldshop:kafka-loopback",
        `theworldshop:kafka.bootstrapServers lists ${loopback.join(", ")}: fine for local runs, unreachable from ` +
          "Lambda. Set theworldshop:kafka to your cluster before `cdk deploy` (docs/deploy.md).",
      );
  }

  private addOutputs(): void {
    new CfnOutput(this, "AlertTopicArn", {
      value: this.alertTopic.topicArn,
      description: "Subscribe to the shop's alerts here (filter on alertType, severity)",
    });
    new CfnOutput(this, "OpsTopicArn", {
      value: this.monitoring.opsTopic.topicArn,
      description: "Pipeline alarms notify here",
    });
    new CfnOutput(this, "RejectedRecordsQueueUrl", { value: this.rejectedRecords.queueUrl });
    new CfnOutput(this, "FailedAlertDeliveriesQueueUrl", { value: this.failedAlertDeliveries.queueUrl });
    new CfnOutput(this, "DashboardUrl", {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.monitoring.dashboard.dashboardName}`,
    });
    if (this.kafkaSecret)
      new CfnOutput(this, "KafkaSecretArn", {
        value: this.kafkaSecret.secretArn,
        description: "SASL/SCRAM credentials the pollers use",
      });
  }
}
