import { CfnOutput } from "aws-cdk-lib";
import type { FunctionUrl } from "aws-cdk-lib/aws-lambda";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ORDERS_ENV, ordersEnvironment } from "../../functions/orders/config";
import type { StreamingConfig } from "../config";
import { KafkaConsumer } from "../constructs/kafka-consumer";
import { ReadApi } from "../constructs/read-api";
import { StateTable } from "../constructs/state-table";

export interface OrdersProps {
  /** The validated streaming config: Kafka source, topic names, orders settings, stage. */
  readonly config: StreamingConfig;
  /** Where SELLER_CANCELLATION_RATE alerts are published. */
  readonly alertTopic: ITopic;
  /** Where order records that fail their schema go. */
  readonly rejectedRecords: IQueue;
  /** SASL/SCRAM credentials of the Kafka brokers, when they need them. */
  readonly kafkaSecret?: ISecret;
  /**
   * Orders per batch: the minute counter shard is written once per batch, so bigger batches mean fewer writes.
   * @default 500
   */
  readonly batchSize?: number;
}

/**
 * `theworldshop.orders`: orders per minute (a counter shard per partition and minute, kept 48 h) and seller
 * cancellation-rate windows, in one state table; plus the dashboard's read API behind an IAM-authenticated
 * Function URL.
 */
export class Orders extends Construct {
  /** Minute counter shards `minute#<minute>#p<partition>`, seller window parts `sellerPart#p<partition>#<sellerId>`, breach items `sellerBreach#<sellerId>`. */
  public readonly state: StateTable;
  public readonly consumer: KafkaConsumer;
  /** `GET /orders-per-minute?minutes=N`, read-only on the state table. */
  public readonly ordersPerMinuteApi: NodejsFunction;
  /** AWS_IAM auth: callers sign with SigV4 and need `lambda:InvokeFunctionUrl` (see `grantInvokeUrl`). */
  public readonly ordersPerMinuteUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: OrdersProps) {
    super(scope, id);
    const { config } = props;
    this.state = new StateTable(this, "State", { stage: config.stage, timeToLive: true });
    this.consumer = new KafkaConsumer(this, "Consumer", {
      entry: "functions/orders/handler.ts",
      topic: config.topics.orders,
      source: config.kafka,
      secret: props.kafkaSecret,
      tables: [this.state],
      alertTopic: props.alertTopic,
      rejectedRecords: props.rejectedRecords,
      environment: { STATE_TABLE_NAME: this.state.table.tableName, ...ordersEnvironment(config.orders) },
      batchSize: props.batchSize ?? 500,
    });

    const api = new ReadApi(this, "OrdersPerMinuteApi", {
      entry: "functions/orders/orders-per-minute-handler.ts",
      serviceName: "ordersPerMinuteApi",
      tables: { STATE_TABLE_NAME: this.state.table },
      // functions/orders/orders-per-minute.ts: the minute shards, keyed, in BatchGetItem calls.
      reads: ["dynamodb:BatchGetItem"],
    });
    api.function.addEnvironment(ORDERS_ENV.partitions, String(config.orders.partitions));
    this.ordersPerMinuteApi = api.function;
    this.ordersPerMinuteUrl = api.url;
    new CfnOutput(this, "OrdersPerMinuteUrl", {
      description: "The dashboard's read API: GET <url>orders-per-minute?minutes=N, signed with SigV4",
      value: this.ordersPerMinuteUrl.url,
    });
  }
}
