import { HANDLER_METADATA } from "../lib/constructs/shop-function";
import { type CfnTemplate, resourcesOfType } from "./template";

/** What one function's role may do on one resource. */
export interface FunctionPermission {
  /** The resource's logical id without CDK's hash (`AvailabilityTable`, `AvailabilityTable/index/outbox`), or `*`. */
  readonly resource: string;
  readonly actions: readonly string[];
}

/** A function of the template and every permission its role holds, its managed policies included. */
export interface FunctionPermissions {
  /** The function's logical id without CDK's hash, e.g. `InventoryConsumerFunction`. */
  readonly function: string;
  /** Its handler source, when it records one. */
  readonly entry?: string;
  readonly permissions: readonly FunctionPermission[];
  /** Managed policy ARNs attached to its role. */
  readonly managedPolicies: readonly string[];
}

interface Statement {
  readonly Effect?: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every function of the template with what its role may do, read from the role's policies, sorted by name. */
export function functionPermissions(template: CfnTemplate): FunctionPermissions[] {
  const policies = resourcesOfType(template, "AWS::IAM::Policy");
  const result: FunctionPermissions[] = [];
  for (const [logicalId, fn] of resourcesOfType(template, "AWS::Lambda::Function")) {
    const roleId = (fn.Properties?.Role as { "Fn::GetAtt"?: [string, string] } | undefined)?.[
      "Fn::GetAtt"
    ]?.[0];
    if (!roleId) continue;
    const byResource = new Map<string, Set<string>>();
    for (const [, policy] of policies) {
      const roles = (policy.Properties?.Roles as { Ref?: string }[] | undefined) ?? [];
      if (!roles.some((role) => role.Ref === roleId)) continue;
      const document = policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined;
      for (const statement of document?.Statement ?? []) {
        if (statement.Effect !== undefined && statement.Effect !== "Allow") continue;
        for (const resource of [statement.Resource].flat()) {
          const name = resourceName(resource);
          const actions = byResource.get(name) ?? new Set<string>();
          for (const action of [statement.Action].flat()) actions.add(action);
          byResource.set(name, actions);
        }
      }
    }
    const role = template.Resources[roleId];
    const managed = ((role?.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []).map(
      managedPolicyName,
    );
    const entry = (fn.Metadata?.[HANDLER_METADATA] as { entry?: string } | undefined)?.entry;
    result.push({
      function: withoutHash(logicalId),
      ...(entry ? { entry } : {}),
      permissions: [...byResource]
        .map(([resource, actions]) => ({ resource, actions: [...actions].sort() }))
        .sort((a, b) => a.resource.localeCompare(b.resource)),
      managedPolicies: managed.sort(),
    });
  }
  return result.sort((a, b) => a.function.localeCompare(b.function));
}

/** The permissions of `fn` whose actions belong to `services` (e.g. `dynamodb`, `sns`), as "resource: actions". */
export function permissionLines(fn: FunctionPermissions, services: readonly string[]): string[] {
  return fn.permissions.flatMap(({ resource, actions }) => {
    const matching = actions.filter((action) => services.includes(action.split(":")[0]!));
    return matching.length > 0 ? [`${resource}: ${matching.join(", ")}`] : [];
  });
}

/** `Fn::GetAtt`/`Ref` to a logical id without its hash, a joined ARN to id + suffix, `*` as it is. */
function resourceName(resource: unknown): string {
  if (typeof resource === "string") return resource;
  const getAtt = (resource as { "Fn::GetAtt"?: [string, string] })["Fn::GetAtt"];
  if (getAtt) return withoutHash(getAtt[0]);
  const ref = (resource as { Ref?: string }).Ref;
  if (ref) return withoutHash(ref);
  const join = (resource as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (join)
    return join[1].map((part) => (typeof part === "string" ? part : resourceName(part))).join(join[0]);
  const sub = (resource as { "Fn::Sub"?: string })["Fn::Sub"];
  if (typeof sub === "string") return sub;
  return JSON.stringify(resource);
}

function managedPolicyName(arn: unknown): string {
  const text = resourceName(arn);
  return text.slice(text.lastIndexOf("/") + 1);
}

/** CDK appends 8 hex digits of hash to every logical id. */
function withoutHash(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, "");
}

const COLUMNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["DynamoDB", ["dynamodb"]],
  ["SNS", ["sns"]],
  ["SQS", ["sqs"]],
  ["KMS", ["kms"]],
  ["other", ["logs", "xray", "secretsmanager", "kafka-cluster", "ec2"]],
];

/** The markdown table of every function's permissions (one row per function, one column per service). */
export function permissionsTable(template: CfnTemplate): string {
  const header = ["function", "handler", ...COLUMNS.map(([title]) => title)];
  const rows = functionPermissions(template).map((fn) => [
    `\`${fn.function}\``,
    fn.entry ? `\`${fn.entry}\`` : "",
    ...COLUMNS.map(([title, services]) =>
      [
        ...permissionLines(fn, services).map((line) => {
          const [resource, actions] = line.split(/: (.*)/s) as [string, string];
          // One service per column but "other": there the service prefix says which.
          return `\`${resource}\`: ${services.length > 1 ? actions : actions.replace(/\b[a-z-]+:/g, "")}`;
        }),
        ...(title === "other" ? fn.managedPolicies.map((policy) => `managed policy ${policy}`) : []),
      ].join("<br>"),
    ),
  ]);
  return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** Where docs/deploy.md holds the generated table. */
export const PERMISSIONS_MARKERS = {
  start: "<!-- permissions:start (npm run docs:permissions writes this table) -->",
  end: "<!-- permissions:end -->",
} as const;

/** `document` with the text between the markers replaced by `table`; fails when the markers are missing. */
export function withPermissionsTable(document: string, table: string): string {
  const start = document.indexOf(PERMISSIONS_MARKERS.start);
  const end = document.indexOf(PERMISSIONS_MARKERS.end);
  if (start < 0 || end < start) throw new Error("docs/deploy.md lacks the permissions table markers");
  return `${document.slice(0, start + PERMISSIONS_MARKERS.start.length)}\n${table}\n${document.slice(end)}`;
}
