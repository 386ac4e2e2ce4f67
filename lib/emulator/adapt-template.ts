import { globalTableAsTable, type TemplateResource } from "./global-table";
import { MOTO_CLOUDFORMATION_TYPES, MOTO_EVENT_SOURCE_SERVICES } from "./moto-resource-types";
import { refersToAny, withoutStatementsOn } from "./references";

/** AWS emulators the stack can be deployed to (context `theworldshop:emulator`). */
export const EMULATORS = ["moto", "localstack"] as const;
export type Emulator = (typeof EMULATORS)[number];

/** Template metadata key under which the adapted template records what it left out or substituted. */
export const EMULATOR_METADATA = "theworldshop:emulator";

export interface EmulatorTemplate {
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What an emulator got instead of the stack as AWS gets it. */
export interface EmulatorReport {
  readonly emulator: Emulator;
  /** Logical id → `<original type> -> <type deployed instead>`. */
  readonly substituted: Record<string, string>;
  /** Logical id → the type left out and why. */
  readonly leftOut: Record<string, { readonly type: string; readonly reason: string }>;
  /** Output name → why it was left out. */
  readonly outputsLeftOut: Record<string, string>;
}

type Resources = Readonly<Record<string, TemplateResource>>;

interface EmulatorRules {
  readonly substituteGlobalTables: boolean;
  /** Why the emulator cannot create `resource`, or undefined when it can. */
  unsupported(resource: TemplateResource, resources: Resources): string | undefined;
}

const RULES: Record<Emulator, EmulatorRules> = {
  moto: {
    // moto's CloudFormation has no AWS::DynamoDB::GlobalTable model, but its Table model covers our tables.
    substituteGlobalTables: true,
    unsupported(resource, resources) {
      if (resource.Type === "AWS::Lambda::EventSourceMapping") {
        const service = eventSourceService(resource, resources);
        return service && MOTO_EVENT_SOURCE_SERVICES.has(service)
          ? undefined
          : "moto's event source mappings take only SQS, DynamoDB and Kinesis sources, not Kafka";
      }
      return MOTO_CLOUDFORMATION_TYPES.has(resource.Type)
        ? undefined
        : `moto's CloudFormation has no ${resource.Type}`;
    },
  },
  localstack: {
    substituteGlobalTables: false,
    unsupported: (resource) => {
      if (isKafkaEventSource(resource))
        return "Kafka event source mappings are a paid LocalStack feature; the local event source mapping runs the handlers";
      return resource.Type.startsWith("AWS::Cognito::")
        ? "Cognito is a paid LocalStack feature; the local dashboard needs no sign-in"
        : undefined;
    },
  },
};

/**
 * The template an emulator can deploy: resources it cannot create are left out, and so is whatever still
 * refers to them once IAM statements on them are dropped; GlobalTables become Tables where it lacks them.
 * The template's metadata records every change under `theworldshop:emulator`.
 */
export function adaptTemplateForEmulator(
  original: EmulatorTemplate,
  emulator: Emulator,
): { template: EmulatorTemplate; report: EmulatorReport } {
  const rules = RULES[emulator];
  const template = structuredClone(original);
  const resources = template.Resources;
  const report: EmulatorReport = { emulator, substituted: {}, leftOut: {}, outputsLeftOut: {} };
  const leaveOut = (logicalId: string, reason: string) => {
    report.leftOut[logicalId] = { type: resources[logicalId]!.Type, reason };
    delete resources[logicalId];
  };

  if (rules.substituteGlobalTables)
    for (const [logicalId, resource] of Object.entries(resources))
      if (resource.Type === "AWS::DynamoDB::GlobalTable") {
        resources[logicalId] = globalTableAsTable(resource);
        report.substituted[logicalId] = "AWS::DynamoDB::GlobalTable -> AWS::DynamoDB::Table";
      }
  for (const [logicalId, resource] of Object.entries(resources)) {
    const reason = rules.unsupported(resource, resources);
    if (reason) leaveOut(logicalId, reason);
  }

  for (let changed = true; changed; ) {
    changed = false;
    const gone = new Set(Object.keys(report.leftOut));
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.DependsOn !== undefined) {
        const dependsOn = [resource.DependsOn].flat().filter((id) => !gone.has(id));
        if (dependsOn.length > 0) resource.DependsOn = dependsOn;
        else delete resource.DependsOn;
      }
      const { value, emptied } = withoutStatementsOn(resource.Properties, gone);
      resource.Properties = value as Record<string, unknown> | undefined;
      // A function stays, its variable naming a left-out resource (the dashboard's user pool) replaced.
      for (const name of replaceEnvironmentOn(resource, gone)) {
        report.substituted[`${logicalId}.Environment.${name}`] = `a left-out resource -> "${LEFT_OUT}"`;
        changed = true;
      }
      const refersTo = [...gone].filter((id) => refersToAny(resource.Properties, new Set([id])));
      if (emptied || refersTo.length > 0) {
        leaveOut(
          logicalId,
          emptied
            ? "its policy covered only left-out resources"
            : `refers to ${refersTo.join(", ")}, which ${refersTo.length > 1 ? "are" : "is"} left out`,
        );
        changed = true;
      }
    }
  }

  const gone = new Set(Object.keys(report.leftOut));
  for (const [name, output] of Object.entries(template.Outputs ?? {}))
    if (refersToAny(output, gone)) {
      report.outputsLeftOut[name] = "refers to a left-out resource";
      delete template.Outputs![name];
    }
  template.Metadata = { ...template.Metadata, [EMULATOR_METADATA]: report };
  return { template, report };
}

/** The value an emulated function's environment variable gets in place of a left-out resource. */
export const LEFT_OUT = "left-out-on-emulator";

/** Replaces the function's environment variables that refer to `gone`; returns their names. */
function replaceEnvironmentOn(resource: TemplateResource, gone: ReadonlySet<string>): string[] {
  if (resource.Type !== "AWS::Lambda::Function") return [];
  const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
  const replaced = Object.keys(variables ?? {}).filter((name) => refersToAny(variables![name], gone));
  for (const name of replaced) variables![name] = LEFT_OUT;
  return replaced;
}

/** The service of an event source mapping's `EventSourceArn`: literal ARN, or the type it points at. */
function eventSourceService(resource: TemplateResource, resources: Resources): string | undefined {
  const arn = resource.Properties?.EventSourceArn;
  if (typeof arn === "string") return arn.split(":")[2];
  const getAtt = (arn as { "Fn::GetAtt"?: [string, string] } | undefined)?.["Fn::GetAtt"];
  const target = getAtt ? resources[getAtt[0]] : undefined;
  const services: Record<string, string> = {
    "AWS::SQS::Queue": "sqs",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::Kinesis::Stream": "kinesis",
  };
  return target ? services[target.Type] : undefined;
}

function isKafkaEventSource(resource: TemplateResource): boolean {
  if (resource.Type !== "AWS::Lambda::EventSourceMapping") return false;
  const properties = resource.Properties ?? {};
  return (
    properties.SelfManagedEventSource !== undefined ||
    properties.AmazonManagedKafkaEventSourceConfig !== undefined ||
    properties.SelfManagedKafkaEventSourceConfig !== undefined ||
    /:kafka:/.test(JSON.stringify(properties.EventSourceArn ?? ""))
  );
}
