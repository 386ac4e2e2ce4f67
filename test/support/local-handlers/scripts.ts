import type { Context, MSKEvent } from "aws-lambda";
import type { CfnTemplate } from "../../../local/template";

export type Script = (event: MSKEvent, context: Context) => unknown;

// On globalThis: the runtime imports each handler as its own module instance, scripts must be shared.
const REGISTRY = Symbol.for("theworldshop.test.local-handler-scripts");
const shared = globalThis as Record<symbol, Map<string, Script> | undefined>;
shared[REGISTRY] ??= new Map();
const registry = shared[REGISTRY];

/** Makes the scripted handler run `script` when its SCRIPT variable is `name`. */
export function defineScript(name: string, script: Script): void {
  registry.set(name, script);
}

export function scriptFor(name: string | undefined): Script {
  const script = registry.get(name ?? "");
  if (!script) throw new Error(`no handler script named ${name}`);
  return script;
}

/** The (partition, offset) of each record of a Kafka event, in the event's order. */
export function offsetsOf(event: MSKEvent): { partition: number; offset: number }[] {
  return Object.values(event.records)
    .flat()
    .map((record) => ({ partition: record.partition, offset: record.offset }));
}

export interface ScriptedMappingProps {
  readonly script: string;
  readonly topic: string;
  readonly group: string;
  readonly batchSize?: number;
  readonly batchingWindowSeconds?: number;
  readonly bisect?: boolean;
  readonly maximumRetryAttempts?: number;
  /** @default true; the stack's state consumers have none (they never give up on a record) */
  readonly onFailureDestination?: boolean;
  readonly timeoutSeconds?: number;
}

/** A CDK-free template with one scripted consumer, its Kafka event source mapping and an on-failure queue. */
export function scriptedConsumerTemplate(props: ScriptedMappingProps): CfnTemplate {
  return {
    Resources: {
      FailedBatches: { Type: "AWS::SQS::Queue", Properties: {} },
      Consumer: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Timeout: props.timeoutSeconds ?? 30,
          MemorySize: 256,
          Environment: { Variables: { SCRIPT: props.script, FAILED_BATCHES_URL: { Ref: "FailedBatches" } } },
        },
        Metadata: { "theworldshop:handler": { entry: "test/support/local-handlers/scripted.ts" } },
      },
      ConsumerMapping: {
        Type: "AWS::Lambda::EventSourceMapping",
        Properties: {
          FunctionName: { Ref: "Consumer" },
          Topics: [props.topic],
          BatchSize: props.batchSize ?? 10,
          MaximumBatchingWindowInSeconds: props.batchingWindowSeconds ?? 0,
          BisectBatchOnFunctionError: props.bisect ?? false,
          MaximumRetryAttempts: props.maximumRetryAttempts ?? 2,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
          ...(props.onFailureDestination === false
            ? {}
            : {
                DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["FailedBatches", "Arn"] } } },
              }),
          SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: ["127.0.0.1:9092"] } },
          SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: props.group },
          StartingPosition: "TRIM_HORIZON",
        },
      },
    },
  };
}
