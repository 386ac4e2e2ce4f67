import { relative } from "node:path";
import { CfnOutput, Duration, RemovalPolicy } from "aws-cdk-lib";
import {
  Architecture,
  FunctionUrlAuthType,
  type IFunctionUrl,
  Runtime,
  Tracing,
} from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ORDERS_ENV, ordersEnvironment } from "../../functions/orders/config";
import type { StreamingConfig } from "../config";
import { KafkaConsumer } from "../constructs/kafka-consumer";
import { StateTable } from "../constructs/state-table";

const REPO_ROOT = relative(process.cwd(), new URL("../..", import.meta.url).pathname) || ".";

export interface OrdersProps {
  /** The validated streaming config: Kafka source, topic names, orders settings, stage. */
  readonly config: StreamingConfig;
  /** Where SELLER_CANCELLATION_RATE alerts are published. */
  readonly alertTopic: ITopic;
  /** Where order records that fail their schema go. */
  readonly rejectedRecords: IQueue;
  /** On-failure destination of the event source mapping. */
  readonly failedBatches: IQueue;
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
  /** Minute counter shards `minute#<minute>#p<partition>` and seller windows `seller#<sellerId>`. */
  public readonly state: StateTable;
  public readonly consumer: KafkaConsumer;
  /** `GET /orders-per-minute?minutes=N`, read-only on the state table. */
  public readonly ordersPerMinuteApi: NodejsFunction;
  public readonly ordersPerMinuteUrl: IFunctionUrl;

  constructor(scope: Construct, id: string, props: OrdersProps) {
    super(scope, id);
    const { config } = props;
    this.state = new StateTable(this, "State", { stage: config.stage, timeToLive: true });
    this.consumer = new KafkaConsumer(this, "Consumer", {
      entry: "functions/orders/handler.ts",
      topic: config.topics.orders,
      source: config.kafka,
      secret: props.kafkaSecret,
      tables: [this.state.table],
      alertTopic: props.alertTopic,
      rejectedRecords: props.rejectedRecords,
      failedBatches: props.failedBatches,
      environment: { STATE_TABLE_NAME: this.state.table.tableName, ...ordersEnvironment(config.orders) },
      batchSize: props.batchSize ?? 500,
    });

    this.ordersPerMinuteApi = new NodejsFunction(this, "OrdersPerMinuteApi", {
      entry: `${REPO_ROOT}/functions/orders/orders-per-minute-handler.ts`,
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: new LogGroup(this, "OrdersPerMinuteApiLogs", {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        STATE_TABLE_NAME: this.state.table.tableName,
        [ORDERS_ENV.partitions]: String(config.orders.partitions),
        NODE_OPTIONS: "--enable-source-maps",
      },
      bundling: { minify: true, sourceMap: true, format: OutputFormat.ESM, target: "node22" },
    });
    this.state.table.grantReadData(this.ordersPerMinuteApi);
    this.ordersPerMinuteUrl = this.ordersPerMinuteApi.addFunctionUrl({
      authType: FunctionUrlAuthType.AWS_IAM,
    });
    new CfnOutput(this, "OrdersPerMinuteUrl", {
      description: "The dashboard's read API: GET <url>orders-per-minute?minutes=N, signed with SigV4",
      value: this.ordersPerMinuteUrl.url,
    });
  }
}
