import { Annotations, Duration, Stack } from "aws-cdk-lib";
import { type ISubnet, SecurityGroup, Subnet, Vpc } from "aws-cdk-lib/aws-ec2";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { EventSourceMapping, StartingPosition } from "aws-cdk-lib/aws-lambda";
import {
  type KafkaEventSourceProps,
  ManagedKafkaEventSource,
  SelfManagedKafkaEventSource,
  SqsDlq,
} from "aws-cdk-lib/aws-lambda-event-sources";
import { Construct, type IConstruct } from "constructs";
import type { ConsumerTuning } from "../config";
import {
  grantKafkaSecrets,
  grantMskConsume,
  grantPollerNetworking,
  selfManagedAuthenticationMethod,
  useMskClientCertificate,
} from "./kafka-access";
import { acknowledgeConsumerFindings } from "./kafka-consumer-nag";
import {
  type KafkaConsumerProps,
  KafkaConsumerPropsError,
  validateKafkaConsumerProps,
  withOperatorTuning,
} from "./kafka-consumer-props";
import { kafkaRootCaOf } from "./kafka-secret";

import { ShopFunction } from "./shop-function";

export { type KafkaConsumerProps, KafkaConsumerPropsError } from "./kafka-consumer-props";
export { HANDLER_METADATA } from "./shop-function";

/** Namespace of the custom metrics the handlers publish (Powertools Metrics / EMF). */
export const METRICS_NAMESPACE = "TheWorldShop/Streaming";

type ConsumerListener = (consumer: KafkaConsumer) => void;
const listenersByStack = new WeakMap<Stack, ConsumerListener[]>();
const tuningByStack = new WeakMap<Stack, ReadonlyMap<string, ConsumerTuning>>();

/**
 * The operator's tuning (`theworldshop:consumers`) for the consumers of `scope`'s stack, by topic: what is set
 * there overrides a KafkaConsumer's own batchSize, maxBatchingWindow and pollers.
 */
export function useConsumerTuning(scope: IConstruct, byTopic: ReadonlyMap<string, ConsumerTuning>): void {
  tuningByStack.set(Stack.of(scope), byTopic);
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
  /** The Kafka trigger: batching, retries, bisect on error, partial batch responses, on-failure queue. */
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

    // Our own role, so the function gets write access to its own log group only (no AWSLambdaBasicExecutionRole).
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `TheWorldShop ${name} consumer of ${props.topic}`,
    });
    this.function = new ShopFunction(this, "Function", {
      entry: props.entry,
      serviceName: name,
      role: this.role,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: `TheWorldShop ${name}: consumes ${props.topic}`,
      environment: {
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        REJECTED_QUEUE_URL: props.rejectedRecords.queueUrl,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
    });
    this.function.logGroup.grantWrite(this.role);
    for (const table of props.tables) table.grantReadWriteData(this.function);
    props.alertTopic.grantPublish(this.function);
    props.rejectedRecords.grantSendMessages(this.function);

    this.function.addEventSource(this.eventSource(props));
    this.eventSourceMapping = this.function.node.children.find((c) => c instanceof EventSourceMapping)!;
    if (props.source.mode === "msk" && props.source.auth === "mtls" && props.secret)
      useMskClientCertificate(this.eventSourceMapping, props.secret);
    acknowledgeConsumerFindings(this, props);
    for (const listener of listenersByStack.get(Stack.of(this)) ?? []) listener(this);
  }

  private eventSource(props: KafkaConsumerProps): ManagedKafkaEventSource | SelfManagedKafkaEventSource {
    const common: KafkaEventSourceProps = {
      topic: props.topic,
      consumerGroupId: this.consumerGroupId,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
      startingPosition: props.startingPosition ?? StartingPosition.TRIM_HORIZON,
      onFailure: new SqsDlq(props.failedBatches),
      retryAttempts: props.retryAttempts ?? 10,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      maxRecordAge: props.maxRecordAge ?? Duration.days(7),
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
