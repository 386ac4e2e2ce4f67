import { CfnOutput, RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { cardVelocityEnvironment } from "../../functions/card-velocity/config";
import type { StreamingConfig } from "../config";
import { KafkaConsumer } from "../constructs/kafka-consumer";
import { ReadApi } from "../constructs/read-api";
import { StateTable } from "../constructs/state-table";

export interface CardVelocityProps {
  /** The validated streaming config (stage, Kafka source, topic names). */
  readonly config: StreamingConfig;
  /** Credentials secret for SASL/SCRAM, when the Kafka source needs one. */
  readonly secret?: ISecret;
  readonly alertTopic: ITopic;
  readonly rejectedRecords: IQueue;
}

/**
 * Card velocity fraud: the consumer of `theworldshop.fraud-signals` that flags a card used for more than
 * more than `theworldshop:cardVelocity.maxTransactions` (5) orders within its `windowSeconds` (60 s), the
 * decisions table it writes, and the decisions API the payment service reads.
 */
export class CardVelocity extends Construct {
  /** Per card: its recent transactions and whether it is in a burst (the reducer's state). */
  public readonly cardWindows: StateTable;
  /** Flagged transactions, keyed by `transactionId`. */
  public readonly decisions: TableV2;
  public readonly consumer: KafkaConsumer;
  /** `GET /decisions/{transactionId}` for the payment service, IAM-authorized. */
  public readonly decisionsApi: ReadApi;

  constructor(scope: Construct, id: string, props: CardVelocityProps) {
    super(scope, id);
    const prod = props.config.stage === "prod";
    this.cardWindows = new StateTable(this, "CardWindows", { stage: props.config.stage });
    this.decisions = new TableV2(this, "Decisions", {
      partitionKey: { name: "transactionId", type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.consumer = new KafkaConsumer(this, "Consumer", {
      entry: "functions/card-velocity/handler.ts",
      topic: props.config.topics.fraudSignals,
      source: props.config.kafka,
      secret: props.secret,
      tables: [this.cardWindows],
      sideTables: [this.decisions],
      alertTopic: props.alertTopic,
      rejectedRecords: props.rejectedRecords,
      environment: {
        STATE_TABLE_NAME: this.cardWindows.table.tableName,
        SIDE_TABLE_DECISIONS: this.decisions.tableName,
        ...cardVelocityEnvironment(props.config.cardVelocity),
      },
    });
    this.decisionsApi = new ReadApi(this, "DecisionsApi", {
      entry: "functions/decisions-api/handler.ts",
      tables: { DECISIONS_TABLE_NAME: this.decisions },
      // functions/decisions-api: one GetItem per transaction asked for.
      reads: ["dynamodb:GetItem"],
    });
    new CfnOutput(this, "DecisionsUrl", {
      description: "Card velocity decisions for the payment service: GET <url>decisions/{transactionId}",
      value: this.decisionsApi.url.url,
    });
  }
}
