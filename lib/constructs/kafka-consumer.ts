import { relative } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Architecture, type CfnFunction, Runtime, StartingPosition, Tracing } from "aws-cdk-lib/aws-lambda";
import {
  ManagedKafkaEventSource,
  SelfManagedKafkaEventSource,
  SqsDlq,
} from "aws-cdk-lib/aws-lambda-event-sources";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { KafkaSource } from "../config";

/** Metadata key under which each function records its handler source, so the local runtime can run it. */
export const HANDLER_METADATA = "theworldshop:handler";
const REPO_ROOT = relative(process.cwd(), new URL("../..", import.meta.url).pathname) || ".";

export interface KafkaConsumerProps {
  /** Handler source file, relative to the repository root (e.g. `functions/inventory/handler.ts`). */
  readonly entry: string;
  /** The Kafka topic this consumer reads. */
  readonly topic: string;
  /** The cluster the event source mapping polls. */
  readonly source: KafkaSource;
  /** Credentials secret for SASL/SCRAM (self-managed brokers, or MSK with `sasl-scram`). */
  readonly secret?: ISecret;
  /** Tables the handler reads and writes (state, decisions). */
  readonly tables: readonly ITableV2[];
  /** Where alerts are published. */
  readonly alertTopic: ITopic;
  /** Where records that fail their schema go, with their coordinates. */
  readonly rejectedRecords: IQueue;
  /** On-failure destination of the event source mapping: batches that exhausted their retries. */
  readonly failedBatches: IQueue;
  /** Extra environment for the handler (table names and settings). */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Records per batch.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the event source mapping gathers records before invoking.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a failed batch before it goes to `failedBatches`.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Memory of the function.
   * @default 512
   */
  readonly memorySize?: number;
}

/** One Lambda consumer of one Kafka topic, with the error handling every topic gets. */
export class KafkaConsumer extends Construct {
  public readonly function: NodejsFunction;
  public readonly consumerGroupId: string;

  constructor(scope: Construct, id: string, props: KafkaConsumerProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new Error(`${id}: batchSize must be an integer from 1 to 10000, got ${batchSize}`);
    }
    this.consumerGroupId = `theworldshop-${props.topic.replace(/^theworldshop\./, "")}`;
    const logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, "Function", {
      entry: `${REPO_ROOT}/${props.entry}`,
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: Duration.seconds(60),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        REJECTED_QUEUE_URL: props.rejectedRecords.queueUrl,
        POWERTOOLS_SERVICE_NAME: id,
        POWERTOOLS_METRICS_NAMESPACE: "TheWorldShop/Streaming",
        NODE_OPTIONS: "--enable-source-maps",
        ...props.environment,
      },
      bundling: { minify: true, sourceMap: true, format: OutputFormat.ESM, target: "node22" },
    });
    (this.function.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA, { entry: props.entry });
    for (const table of props.tables) table.grantReadWriteData(this.function);
    props.alertTopic.grantPublish(this.function);
    props.rejectedRecords.grantSendMessages(this.function);

    const common = {
      topic: props.topic,
      consumerGroupId: this.consumerGroupId,
      batchSize,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
      startingPosition: StartingPosition.TRIM_HORIZON,
      onFailure: new SqsDlq(props.failedBatches),
      retryAttempts: props.retryAttempts ?? 10,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      maxRecordAge: Duration.hours(6),
      provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 10 },
      secret: props.secret,
    };
    this.function.addEventSource(
      props.source.mode === "msk"
        ? new ManagedKafkaEventSource({ ...common, clusterArn: props.source.clusterArn })
        : new SelfManagedKafkaEventSource({ ...common, bootstrapServers: props.source.bootstrapServers }),
    );
  }
}
