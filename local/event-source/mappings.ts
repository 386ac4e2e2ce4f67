import { type CfnTemplate, resourcesOfType } from "../template";

/** A Kafka event source mapping of the template, as the local poller runs it. */
export interface KafkaMappingDefinition {
  readonly logicalId: string;
  /** The logical id of the function it invokes. */
  readonly functionLogicalId: string;
  readonly topics: readonly string[];
  readonly consumerGroupId: string;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1: retry until the records expire (never, locally). */
  readonly maximumRetryAttempts: number;
  readonly reportBatchItemFailures: boolean;
  /** The on-failure destination's ARN (an SQS queue or SNS topic), resolved. */
  readonly onFailureDestination?: string;
  readonly eventSource: "aws:kafka" | "SelfManagedKafka";
  readonly eventSourceArn?: string;
}

/** Thrown for a mapping the local runtime cannot emulate as AWS would run it. */
export class MappingDefinitionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MappingDefinitionError";
  }
}

/** Every Kafka (MSK or self-managed) event source mapping of the template, with its ARNs resolved. */
export function templateKafkaMappings(
  template: CfnTemplate,
  resolve: (value: unknown) => unknown,
): KafkaMappingDefinition[] {
  const mappings: KafkaMappingDefinition[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, "AWS::Lambda::EventSourceMapping")) {
    const props = resource.Properties ?? {};
    const selfManaged = props.SelfManagedEventSource !== undefined;
    const arn = props.EventSourceArn === undefined ? undefined : String(resolve(props.EventSourceArn));
    if (!selfManaged && !arn?.includes(":kafka:")) continue; // SQS, Kinesis and DynamoDB streams are not Kafka
    const target = props.FunctionName as { Ref?: string } | string | undefined;
    const functionLogicalId = typeof target === "string" ? target : target?.Ref;
    if (!functionLogicalId) {
      throw new MappingDefinitionError(
        `${logicalId}: FunctionName must be a Ref to a function of the template`,
      );
    }
    const topics = (props.Topics as string[] | undefined) ?? [];
    if (topics.length === 0) throw new MappingDefinitionError(`${logicalId}: a Kafka mapping needs Topics`);
    const kafkaConfig = (props.SelfManagedKafkaEventSourceConfig ??
      props.AmazonManagedKafkaEventSourceConfig) as { ConsumerGroupId?: string } | undefined;
    const destination = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
      ?.OnFailure?.Destination;
    mappings.push({
      logicalId,
      functionLogicalId,
      topics,
      consumerGroupId: kafkaConfig?.ConsumerGroupId ?? logicalId,
      batchSize: numberOr(props.BatchSize, 100),
      batchingWindowMs: numberOr(props.MaximumBatchingWindowInSeconds, 0) * 1000,
      bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
      maximumRetryAttempts: numberOr(props.MaximumRetryAttempts, -1),
      reportBatchItemFailures: ((props.FunctionResponseTypes as string[] | undefined) ?? []).includes(
        "ReportBatchItemFailures",
      ),
      onFailureDestination: destination === undefined ? undefined : String(resolve(destination)),
      eventSource: selfManaged ? "SelfManagedKafka" : "aws:kafka",
      eventSourceArn: arn,
    });
  }
  return mappings;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}
