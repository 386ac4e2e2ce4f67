import { Stack, Validations } from "aws-cdk-lib";
import { type IRole, Policy } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";

const BASIC_EXECUTION_POLICY =
  "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const XRAY_ACTIONS = new Set(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/**
 * Acknowledges the cdk-nag findings every traced nodejs22.x function with CDK's default role raises, after
 * checking that each is what it claims: the basic execution policy, X-Ray's `*` (and no other `*`), the index
 * wildcard of a table the role was granted, and GenerateDataKey* on a named key. Anything else the function's policies hold stays a finding.
 */
export function acknowledgeFunctionFindings(fn: LambdaFunction): void {
  Validations.of(fn).acknowledge({
    id: "AwsSolutions-L1",
    reason:
      "pinned to nodejs22.x, the runtime the engine, its tests and the local runtime are built and tested on",
  });
  const role = fn.role;
  if (!role) return;
  const stack = Stack.of(fn);
  const managed = stack.resolve(
    (role.node.defaultChild as { managedPolicyArns?: unknown })?.managedPolicyArns,
  );
  if (JSON.stringify(managed ?? []).includes("AWSLambdaBasicExecutionRole"))
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::${BASIC_EXECUTION_POLICY}]`,
      reason:
        "AWS's basic execution policy only lets the function write its CloudWatch logs; it grants no data",
    });
  const statements = policyStatements(role);
  const starStatements = statements.filter((s) => s.Resource === "*" || [s.Resource].flat().includes("*"));
  if (
    starStatements.length > 0 &&
    starStatements.every((s) => [s.Action].flat().every((a) => XRAY_ACTIONS.has(a)))
  )
    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level permissions",
    });
  const dataKeyStatements = statements.filter((s) => [s.Action].flat().includes("kms:GenerateDataKey*"));
  if (dataKeyStatements.length > 0 && dataKeyStatements.every((s) => ![s.Resource].flat().includes("*")))
    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
      reason:
        "publishing to the KMS-encrypted alert topic needs GenerateDataKey* on that topic's own key (grantPublish)",
    });
  for (const logicalId of indexWildcardTables(statements))
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
      reason: "the table grant covers that table's own indexes, which the function queries; no other table",
    });
}

function policyStatements(role: IRole): Statement[] {
  const stack = Stack.of(role);
  return role.node.children
    .filter((child): child is Policy => child instanceof Policy)
    .flatMap(
      (policy) => (stack.resolve(policy.document.toJSON()) as { Statement?: Statement[] })?.Statement ?? [],
    );
}

/** Logical ids of the tables whose `<arn>/index/*` the statements name. */
function indexWildcardTables(statements: readonly Statement[]): string[] {
  const ids = new Set<string>();
  for (const statement of statements) {
    for (const resource of [statement.Resource].flat()) {
      const join = (resource as { "Fn::Join"?: [string, unknown[]] })?.["Fn::Join"];
      const [first, suffix] = join?.[1] ?? [];
      const getAtt = (first as { "Fn::GetAtt"?: [string, string] })?.["Fn::GetAtt"];
      if (suffix === "/index/*" && getAtt?.[1] === "Arn") ids.add(getAtt[0]);
    }
  }
  return [...ids];
}
