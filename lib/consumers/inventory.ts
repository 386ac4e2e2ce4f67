import { relative } from "node:path";
import { CfnOutput, Duration, RemovalPolicy } from "aws-cdk-lib";
import {
  Architecture,
  type FunctionUrl,
  FunctionUrlAuthType,
  Runtime,
  Tracing,
} from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { AVAILABILITY_TABLE_ENV } from "../../functions/availability-api/api";
import { inventoryConfigEnvironment } from "../../functions/inventory/config";
import type { StreamingConfig } from "../config";
import { KafkaConsumer } from "../constructs/kafka-consumer";
import type { StateTable } from "../constructs/state-table";

const REPO_ROOT = relative(process.cwd(), new URL("../..", import.meta.url).pathname) || ".";
/** Lambda allows 4 KB of environment per function; leave room for the other variables. */
const MAX_THRESHOLDS_ENV_BYTES = 3000;

export interface InventoryProps {
  /** The validated streaming config: topic name, Kafka source, thresholds. */
  readonly config: StreamingConfig;
  /** The availability state table the consumer writes and the storefront API reads. */
  readonly availability: StateTable;
  readonly alertTopic: ITopic;
  readonly rejectedRecords: IQueue;
  readonly failedBatches: IQueue;
  /** Kafka credentials, when the source uses SASL/SCRAM. */
  readonly kafkaSecret?: ISecret;
}

/**
 * Live stock availability: the `theworldshop.inventory` consumer (availability state, stock alerts) and the
 * storefront's read API behind an IAM-authenticated Function URL.
 */
export class Inventory extends Construct {
  public readonly consumer: KafkaConsumer;
  /** Serves `GET /availability/{productId}` and the batch reads from the availability table. */
  public readonly availabilityApi: NodejsFunction;
  /** AWS_IAM auth: callers sign with SigV4 and need `lambda:InvokeFunctionUrl` (see `grantInvokeUrl`). */
  public readonly availabilityUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: InventoryProps) {
    super(scope, id);
    const thresholds = inventoryConfigEnvironment(props.config.inventory);
    const thresholdsBytes = Object.values(thresholds).join("").length;
    if (thresholdsBytes > MAX_THRESHOLDS_ENV_BYTES) {
      throw new Error(
        `${id}: theworldshop:inventory thresholds take ${thresholdsBytes} bytes of environment, over ${MAX_THRESHOLDS_ENV_BYTES}; keep per-product overrides to the exceptions`,
      );
    }
    const table = props.availability.table;

    this.consumer = new KafkaConsumer(this, "Consumer", {
      entry: "functions/inventory/handler.ts",
      topic: props.config.topics.inventory,
      source: props.config.kafka,
      secret: props.kafkaSecret,
      tables: [table],
      alertTopic: props.alertTopic,
      rejectedRecords: props.rejectedRecords,
      failedBatches: props.failedBatches,
      environment: { STATE_TABLE_NAME: table.tableName, ...thresholds },
      // A viral product is one hot key: bigger batches mean fewer writes to it, one per batch.
      batchSize: 500,
      // The storefront must stop selling within a second of the last unit: invoke without waiting to fill a batch.
      maxBatchingWindow: Duration.seconds(0),
    });

    this.availabilityApi = new NodejsFunction(this, "AvailabilityApi", {
      entry: `${REPO_ROOT}/functions/availability-api/handler.ts`,
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: new LogGroup(this, "AvailabilityApiLogs", {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        [AVAILABILITY_TABLE_ENV]: table.tableName,
        POWERTOOLS_SERVICE_NAME: "availability-api",
        NODE_OPTIONS: "--enable-source-maps",
      },
      bundling: { minify: true, sourceMap: true, format: OutputFormat.ESM, target: "node22" },
    });
    table.grantReadData(this.availabilityApi);
    this.availabilityUrl = this.availabilityApi.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    new CfnOutput(this, "AvailabilityUrl", {
      description: "Storefront availability API (SigV4-signed requests only): GET /availability/{productId}",
      value: this.availabilityUrl.url,
    });
  }
}
