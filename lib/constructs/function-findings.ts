import { Stack, Validations } from "aws-cdk-lib";
import { type IRole, Policy } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";

/** Actions that have no resource-level permissions, so `"*"` is the only resource they take. */
const STAR_ONLY_ACTIONS: Readonly<Record<string, string>> = {
  "xray:PutTraceSegments": "X-Ray (active tracing)",
  "xray:PutTelemetryRecords": "X-Ray (active tracing)",
  // The pollers of self-managed brokers in a VPC create network interfaces with the function's role.
  "ec2:CreateNetworkInterface": "the pollers' network interfaces in the brokers' VPC",
  "ec2:DescribeNetworkInterfaces": "the pollers' network interfaces in the brokers' VPC",
  "ec2:DeleteNetworkInterface": "the pollers' network interfaces in the brokers' VPC",
  "ec2:DescribeVpcs": "the pollers' network interfaces in the brokers' VPC",
  "ec2:DescribeSubnets": "the pollers' network interfaces in the brokers' VPC",
  "ec2:DescribeSecurityGroups": "the pollers' network interfaces in the brokers' VPC",
};
/** Managed policies a role may hold, each because a CDK construct attaches it for a service's own needs. */
const ACCEPTED_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole":
    "the MSK event source attaches AWS's policy the pollers need (DescribeClusterV2, network interfaces in the cluster's VPC)",
};

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** A cdk-nag finding id and why it is acknowledged, derived from what the role holds. */
interface Finding {
  readonly id: string;
  readonly reason: string;
}

/** What each role's acknowledgements claim, to check again at synth. */
const acknowledged = new WeakMap<IRole, Map<string, Finding>>();

/**
 * Acknowledges the cdk-nag findings of a ShopFunction after checking each against what its role really holds:
 * `Resource::*` only when every `"*"` statement holds actions that take no other resource (X-Ray, the pollers'
 * network interfaces), `Action::kms:GenerateDataKey*` only on named keys, a managed policy only when it is one
 * a CDK event source attaches. At synth, each acknowledgement is checked again against the role as it then is,
 * so a `"*"` or a policy granted after this call fails synth instead of hiding behind the acknowledgement.
 * Call it again after granting more (ShopFunction calls it first, the constructs after their grants).
 */
export function acknowledgeFunctionFindings(fn: LambdaFunction): void {
  const role = fn.role;
  if (!role) return;
  let given = acknowledged.get(role);
  if (!given) {
    given = new Map();
    acknowledged.set(role, given);
    Validations.of(fn).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "pinned to nodejs22.x, the runtime the engine, its tests and the local runtime are built and tested on",
    });
    role.node.addValidation({ validate: () => staleAcknowledgements(role) });
  }
  for (const finding of justifiedFindings(role)) {
    if (given.has(finding.id)) continue;
    given.set(finding.id, finding);
    Validations.of(role).acknowledge(finding);
  }
}

/** The acknowledgements on `role` that what it holds now no longer justifies, as synth errors. */
function staleAcknowledgements(role: IRole): string[] {
  const justified = new Set(justifiedFindings(role).map((finding) => finding.id));
  return [...(acknowledged.get(role)?.values() ?? [])]
    .filter((finding) => !justified.has(finding.id))
    .map(
      (finding) =>
        `${finding.id} is acknowledged on ${role.node.path} for what it held then, but the role now holds more ` +
        "(a wildcard or managed policy added after the acknowledgement): scope the grant",
    );
}

/** The findings the role's statements and managed policies raise that are what they are acknowledged as. */
function justifiedFindings(role: IRole): Finding[] {
  const findings: Finding[] = [];
  const statements = policyStatements(role);
  const star = statements.filter((s) => [s.Resource].flat().includes("*"));
  const starActions = new Set(star.flatMap((s) => [s.Action].flat()));
  if (star.length > 0 && [...starActions].every((action) => action in STAR_ONLY_ACTIONS))
    findings.push({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: `${[...new Set([...starActions].map((a) => STAR_ONLY_ACTIONS[a]))].join("; ")}: ${[...starActions].join(", ")} have no resource-level permissions`,
    });
  const dataKey = statements.filter((s) => [s.Action].flat().includes("kms:GenerateDataKey*"));
  if (dataKey.length > 0 && dataKey.every((s) => ![s.Resource].flat().includes("*")))
    findings.push({
      id: "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
      reason:
        "publishing to the KMS-encrypted alert topic needs GenerateDataKey* on that topic's own key (grantPublish)",
    });
  for (const arn of managedPolicyArns(role))
    if (arn in ACCEPTED_MANAGED_POLICIES)
      findings.push({ id: `AwsSolutions-IAM4[Policy::${arn}]`, reason: ACCEPTED_MANAGED_POLICIES[arn]! });
  return findings;
}

/** Every statement of the role's policies, resolved. */
export function policyStatements(role: IRole): Statement[] {
  const stack = Stack.of(role);
  return role.node.children
    .filter((child): child is Policy => child instanceof Policy)
    .flatMap(
      (policy) => (stack.resolve(policy.document.toJSON()) as { Statement?: Statement[] })?.Statement ?? [],
    );
}

/** The role's managed policy ARNs as cdk-nag names them (`arn:<AWS::Partition>:iam::aws:policy/…`). */
function managedPolicyArns(role: IRole): string[] {
  const stack = Stack.of(role);
  const arns = stack.resolve((role.node.defaultChild as { managedPolicyArns?: unknown })?.managedPolicyArns);
  return ((arns as unknown[] | undefined) ?? []).map((arn) => {
    const join = (arn as { "Fn::Join"?: [string, unknown[]] })?.["Fn::Join"];
    if (!join) return String(arn);
    return join[1]
      .map((part) => ((part as { Ref?: string })?.Ref ? `<${(part as { Ref: string }).Ref}>` : String(part)))
      .join(join[0]);
  });
}
