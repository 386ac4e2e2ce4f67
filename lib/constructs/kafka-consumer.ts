import { Annotations, Duration, Stack } from "aws-cdk-lib";
import { type ISubnet, SecurityGroup, Subnet, Vpc } from "aws-cdk-lib/aws-ec2";
import type { Role } from "aws-cdk-lib/aws-iam";
import { type CfnEventSourceMapping, EventSourceMapping, StartingPosition } from "aws-cdk-lib/aws-lambda";
import {
  type KafkaEventSourceProps,
  ManagedKafkaEventSource,
  SelfManagedKafkaEventSource,
} from "aws-cdk-lib/aws-lambda-event-sources";
import { Construct, type IConstruct } from "constructs";
import { DEFAULT_KEY_CONCURRENCY, DEFAULT_KEYS_PER_WRITE } from "../../functions/shared/engine/key-settings";
import type { ConsumerTuning, EngineSettings } from "../config";
import { acknowledgeFunctionFindings } from "./function-findings";
import {
  grantKafkaSecrets,
  grantMskConsume,
  grantPollerNetworking,
  selfManagedAuthenticationMethod,
  useMskClientCertificate,
} from "./kafka-access";
import {
  type KafkaConsumerProps,
  KafkaConsumerPropsError,
  validateKafkaConsumerProps,
  withOperatorTuning,
} from "./kafka-consumer-props";
import { kafkaRootCaOf } from "./kafka-secret";

import { ShopFunction } from "./shop-function";
import { grantOnTable } from "./state-table";

export { type KafkaConsumerProps, KafkaConsumerPropsError } from "./kafka-consumer-props";
export { HANDLER_METADATA } from "./shop-function";

/** Namespace of the custom metrics the handlers publish (Powertools Metrics / EMF). */
export const METRICS_NAMESPACE = "TheWorldShop/Streaming";

type ConsumerListener = (consumer: KafkaConsumer) => void;
const listenersByStack = new WeakMap<Stack, ConsumerListener[]>();
const tuningByStack = new WeakMap<Stack, ReadonlyMap<string, ConsumerTuning>>();
const engineByStack = new WeakMap<Stack, EngineSettings>();
const DEFAULT_MAX_EVENT_TIME_AHEAD = Duration.hours(1);

/**
 * The operator's tuning (`theworldshop:consumers`) for the consumers of `scope`'s stack, by topic: what is set
 * there overrides a KafkaConsumer's own batchSize, maxBatchingWindow and pollers.
 */
export function useConsumerTuning(scope: IConstruct, byTopic: ReadonlyMap<string, ConsumerTuning>): void {
  tuningByStack.set(Stack.of(scope), byTopic);
}

/** The operator's engine settings (`theworldshop:engine`) for every KafkaConsumer of `scope`'s stack. */
export function useEngineSettings(scope: IConstruct, settings: EngineSettings): void {
  engineByStack.set(Stack.of(scope), settings);
}

/**
 * Calls `listener` for every KafkaConsumer of `scope`'s stack, those created already and those created later,
 * so that monitoring covers every consumer whatever order the stack creates them in.
 */
export function onKafkaConsumer(scope: IConstruct, listener: ConsumerListener): void {
  const stack = Stack.of(scope);
  for (const existing of stack.node.findAll()) if (existing instanceof KafkaConsumer) listener(existing);
  listenersByStack.set(stack, [...(listenersByStack.get(stack) ?? []), listener]);
}

/** One Lambda consumer of one Kafka topic, with the error handling every topic gets. */
export class KafkaConsumer extends Construct {
  /** The consumer's name in the shop's words (alarms, dashboard, Powertools service name). */
  public readonly consumerName: string;
  public readonly topic: string;
  public readonly consumerGroupId: string;
  public readonly function: ShopFunction;
  /** The function's execution role; the event source mapping's pollers act as it too. */
  public readonly role: Role;
  /** The Kafka trigger: batching, retries without limit, bisect on error, partial batch responses. */
  public readonly eventSourceMapping: EventSourceMapping;

  constructor(scope: Construct, id: string, ownProps: KafkaConsumerProps) {
    super(scope, id);
    const props = withOperatorTuning(ownProps, tuningByStack.get(Stack.of(this))?.get(ownProps.topic));
    const name = props.name ?? props.topic.replace(/^theworldshop\./, "").replace(/[^A-Za-z0-9-]+/g, "-");
    validateKafkaConsumerProps(id, props, name);
    this.consumerName = name;
    this.topic = props.topic;
    this.consumerGroupId = props.consumerGroupId ?? `theworldshop-${name}`;
    this.assertUniqueConsumerGroup(id);

    this.function = new ShopFunction(this, "Function", {
      entry: props.entry,
      serviceName: name,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: `TheWorldShop ${name}: consumes ${props.topic}`,
      environment: {
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        REJECTED_QUEUE_URL: props.rejectedRecords.queueUrl,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // The engine rejects a record of any other topic, and one whose eventTime lies too far ahead.
        KAFKA_TOPIC: props.topic,
        MAX_EVENT_TIME_AHEAD_MINUTES: String(this.maxEventTimeAhead(props).toMinutes()),
        KEY_CONCURRENCY: String(props.keyConcurrency ?? DEFAULT_KEY_CONCURRENCY),
        KEYS_PER_WRITE: String(props.keysPerWrite ?? DEFAULT_KEYS_PER_WRITE),
        ...props.environment,
      },
    });
    this.role = this.function.executionRole;
    // Exactly what the engine calls: its state tables, Puts on side tables (in its transaction), SNS PublishBatch
    // (sns:Publish, with the topic key), SQS SendMessageBatch (sqs:SendMessage).
    for (const table of props.tables) table.grantEngine(this.function);
    for (const table of props.sideTables ?? []) grantOnTable(table, this.function, "dynamodb:PutItem");
    props.alertTopic.grantPublish(this.function);
    props.rejectedRecords.grant(this.function, "sqs:SendMessage");
    props.rejectedRecords.encryptionMasterKey?.grant(this.function, "kms:GenerateDataKey", "kms:Decrypt");

    this.function.addEventSource(this.eventSource(props));
    this.eventSourceMapping = this.function.node.children.find((c) => c instanceof EventSourceMapping)!;
    // CDK's maxRecordAge accepts 60 s – 7 days only; -1 (the records never age out) goes on the resource itself.
    (this.eventSourceMapping.node.defaultChild as CfnEventSourceMapping).addPropertyOverride(
      "MaximumRecordAgeInSeconds",
      -1,
    );
    if (props.source.mode === "msk" && props.source.auth === "mtls" && props.secret)
      useMskClientCertificate(this.eventSourceMapping, props.secret);
    acknowledgeFunctionFindings(this.function);
    for (const listener of listenersByStack.get(Stack.of(this)) ?? []) listener(this);
  }

  private maxEventTimeAhead(props: KafkaConsumerProps): Duration {
    if (props.maxEventTimeAhead) return props.maxEventTimeAhead;
    const minutes = engineByStack.get(Stack.of(this))?.maxEventTimeAheadMinutes;
    return minutes === undefined ? DEFAULT_MAX_EVENT_TIME_AHEAD : Duration.minutes(minutes);
  }

  private eventSource(props: KafkaConsumerProps): ManagedKafkaEventSource | SelfManagedKafkaEventSource {
    const common: KafkaEventSourceProps = {
      topic: props.topic,
      consumerGroupId: this.consumerGroupId,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
      startingPosition: props.startingPosition ?? StartingPosition.TRIM_HORIZON,
      // Never give up on a record: a failing batch stalls its partition, pages, and resumes where it stopped.
      // No on-failure destination either: with one, Lambda caps infinite retries at 10
      // (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html).
      retryAttempts: -1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      provisionedPollerConfig: {
        ...props.pollers,
        minimumPollers: props.pollers?.minimumPollers ?? 1,
        maximumPollers: props.pollers?.maximumPollers ?? 10,
      },
      secret: props.secret,
    };
    const { source } = props;
    // The event source grants reading its secret; decrypting it under a customer-managed key is ours to grant.
    grantKafkaSecrets(this.role, [{ secret: props.secret, grantRead: false }]);
    if (source.mode === "msk") {
      if (source.auth === "iam")
        grantMskConsume(this.role, source.clusterArn, props.topic, this.consumerGroupId);
      return new ManagedKafkaEventSource({ ...common, clusterArn: source.clusterArn });
    }
    const network = source.vpc
      ? {
          vpc: Vpc.fromVpcAttributes(this, "Vpc", {
            vpcId: source.vpc.vpcId,
            availabilityZones: Stack.of(this).availabilityZones,
          }),
          vpcSubnets: {
            subnets: source.vpc.subnetIds.map((subnetId, index) => this.subnet(index, subnetId)),
          },
          securityGroup: SecurityGroup.fromSecurityGroupId(this, "BrokerAccess", source.vpc.securityGroupId),
        }
      : {};
    // The pollers create network interfaces in the brokers' subnets with the function's role.
    if (source.vpc) grantPollerNetworking(this.role);
    const rootCa = kafkaRootCaOf(this, source);
    grantKafkaSecrets(this.role, [{ secret: rootCa, grantRead: true }]);
    return new SelfManagedKafkaEventSource({
      ...common,
      ...network,
      bootstrapServers: source.bootstrapServers,
      authenticationMethod: selfManagedAuthenticationMethod(source.auth),
      rootCACertificate: rootCa,
    });
  }

  private subnet(index: number, subnetId: string): ISubnet {
    const subnet = Subnet.fromSubnetId(this, `Subnet${index}`, subnetId);
    Annotations.of(subnet).acknowledgeWarning(
      "@aws-cdk/aws-ec2:noSubnetRouteTableId",
      "the pollers need only the subnet id; nothing reads its route table",
    );
    return subnet;
  }

  private assertUniqueConsumerGroup(id: string): void {
    const clash = Stack.of(this)
      .node.findAll()
      .find((c) => c instanceof KafkaConsumer && c !== this && c.consumerGroupId === this.consumerGroupId);
    if (clash)
      throw new KafkaConsumerPropsError(
        `KafkaConsumer ${id}: consumerGroupId "${this.consumerGroupId}" is already used by ${clash.node.path}; ` +
          "two consumers in one group would split the topic's partitions between them — set name or consumerGroupId",
      );
  }
}
