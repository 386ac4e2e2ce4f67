import { Stack, type StackProps } from "aws-cdk-lib";
import { Alias } from "aws-cdk-lib/aws-kms";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { StreamingConfig } from "./config";
import { StateTable } from "./constructs/state-table";
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
  /** Every alert of every consumer; subscribers filter on the `alertType` and `severity` attributes. */
  public readonly alertTopic: Topic;
  /** Records that failed their schema, with topic, partition, offset, reason and the masked value. */
  public readonly rejectedRecords: Queue;
  /** Batches the event source mappings gave up on after their retries. */
  public readonly failedBatches: Queue;
  /** Credentials for self-managed brokers, when the config names no secret of its own. */
  public readonly kafkaSecret?: ISecret;
  /** Storefront availability per product: `{ quantity, status, asOf }`, the inventory consumer's state. */
  public readonly availability: StateTable;
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
  public readonly config: StreamingConfig;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    this.config = props.config;
    const snsKey = Alias.fromAliasName(this, "SnsKey", "alias/aws/sns");
    this.alertTopic = new Topic(this, "Alerts", {
      displayName: "TheWorldShop streaming alerts",
      masterKey: snsKey,
      enforceSSL: true,
    });
    this.rejectedRecords = new Queue(this, "RejectedRecords", {
      encryption: QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
    });
    this.failedBatches = new Queue(this, "FailedBatches", {
      encryption: QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
    });
    this.kafkaSecret = props.config.kafka.secretArn
      ? Secret.fromSecretCompleteArn(this, "KafkaSecret", props.config.kafka.secretArn)
      : undefined;
    if (props.config.kafka.mode === "self-managed" && !this.kafkaSecret) {
      // Self-managed brokers reached over the network need SASL/SCRAM credentials; the operator sets them.
      this.kafkaSecret = new Secret(this, "KafkaCredentials", {
        description: "SASL/SCRAM credentials the Lambda pollers use for TheWorldShop's Kafka brokers",
        generateSecretString: {
          secretStringTemplate: '{"username":"theworldshop"}',
          generateStringKey: "password",
        },
      });
    }
    this.availability = new StateTable(this, "Availability", {
      stage: props.config.stage,
      extraIndexes: [stockAlertIndex()],
    });
    this.inventory = new Inventory(this, "Inventory", {
      config: props.config,
      availability: this.availability,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
      failedBatches: this.failedBatches,
      kafkaSecret: this.kafkaSecret,
    });
    this.sessions = new Sessions(this, "Sessions", {
      config: props.config,
      secret: this.kafkaSecret,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
      failedBatches: this.failedBatches,
    });
    this.cardVelocity = new CardVelocity(this, "CardVelocity", {
      config: props.config,
      secret: this.kafkaSecret,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
      failedBatches: this.failedBatches,
    });
    this.cardVelocity.decisions.addGlobalSecondaryIndex(decisionsByTimeIndex());
    this.orders = new Orders(this, "Orders", {
      config: props.config,
      alertTopic: this.alertTopic,
      rejectedRecords: this.rejectedRecords,
      failedBatches: this.failedBatches,
      kafkaSecret: this.kafkaSecret,
    });
    this.dashboard = new Dashboard(this, "Dashboard", {
      stage: props.config.stage,
      settings: props.config.dashboard,
      alertTopic: this.alertTopic,
      orders: this.orders.state.table,
      ordersPartitions: props.config.orders.partitions,
      availability: this.availability.table,
      decisions: this.cardVelocity.decisions,
      sessions: this.sessions.state.table,
    });
  }
}
