import { CfnOutput, Duration } from "aws-cdk-lib";
import type { FunctionUrl } from "aws-cdk-lib/aws-lambda";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { AVAILABILITY_TABLE_ENV } from "../../functions/availability-api/api";
import { inventoryConfigEnvironment } from "../../functions/inventory/config";
import type { StreamingConfig } from "../config";
import { KafkaConsumer } from "../constructs/kafka-consumer";
import { ReadApi } from "../constructs/read-api";
import type { ShopFunction } from "../constructs/shop-function";
import type { StateTable } from "../constructs/state-table";

/** Lambda allows 4 KB of environment per function; leave room for the other variables. */
const MAX_THRESHOLDS_ENV_BYTES = 3000;

export interface InventoryProps {
  /** The validated streaming config: topic name, Kafka source, thresholds. */
  readonly config: StreamingConfig;
  /** The availability state table the consumer writes and the storefront API reads. */
  readonly availability: StateTable;
  readonly alertTopic: ITopic;
  readonly rejectedRecords: IQueue;
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
  public readonly availabilityApi: ShopFunction;
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
      tables: [props.availability],
      alertTopic: props.alertTopic,
      rejectedRecords: props.rejectedRecords,
      environment: { STATE_TABLE_NAME: table.tableName, ...thresholds },
      // A viral product is one hot key: bigger batches mean fewer writes to it, one per batch.
      batchSize: 500,
      // The storefront must stop selling within a second of the last unit: invoke without waiting to fill a batch.
      maxBatchingWindow: Duration.seconds(0),
    });

    const api = new ReadApi(this, "AvailabilityApi", {
      entry: "functions/availability-api/handler.ts",
      serviceName: "availability-api",
      tables: { [AVAILABILITY_TABLE_ENV]: table },
      // functions/availability-api: GetItem for one product, BatchGetItem for many.
      reads: ["dynamodb:GetItem", "dynamodb:BatchGetItem"],
    });
    this.availabilityApi = api.function;
    this.availabilityUrl = api.url;
    new CfnOutput(this, "AvailabilityUrl", {
      description: "Storefront availability API (SigV4-signed requests only): GET /availability/{productId}",
      value: this.availabilityUrl.url,
    });
  }
}
