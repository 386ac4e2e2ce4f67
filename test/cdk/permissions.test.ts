import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import {
  type FunctionPermissions,
  functionPermissions,
  permissionLines,
  permissionsTable,
  withPermissionsTable,
} from "../../local/permissions";
import { type CfnTemplate, resourcesOfType, synthesizeTemplate } from "../../local/template";
import { SOURCES, streamingStack } from "./fixtures/stacks";

const DATA_SERVICES = ["dynamodb", "sns", "sqs", "kms"];
const template = Template.fromStack(
  streamingStack({ "theworldshop:kafka": SOURCES.selfManaged }),
).toJSON() as CfnTemplate;
const byFunction = new Map(functionPermissions(template).map((fn) => [fn.function, fn]));

/** The engine's calls on its state table and the shared alert topic and rejected-records queue. */
const engine = (stateTable: string, ...sideTables: string[]) =>
  [
    "Alerts: sns:Publish",
    `${stateTable}: dynamodb:BatchGetItem, dynamodb:GetItem, dynamodb:PutItem`,
    ...sideTables.map((table) => `${table}: dynamodb:PutItem`),
    "RejectedRecords: sqs:SendMessage",
    "TopicKey: kms:Decrypt, kms:GenerateDataKey*",
  ].sort();

const STATE_TABLES = [
  "AvailabilityTable",
  "CardVelocityCardWindowsTable",
  "OrdersStateTable",
  "SessionsStateTable",
];

/** Each function's DynamoDB, SNS, SQS and KMS actions, by resource: exactly what its code calls. */
const EXPECTED: Record<string, () => string[]> = {
  InventoryConsumerFunction: () => engine("AvailabilityTable"),
  CardVelocityConsumerFunction: () => engine("CardVelocityCardWindowsTable", "CardVelocityDecisions"),
  OrdersConsumerFunction: () => engine("OrdersStateTable"),
  SessionsConsumerFunction: () => engine("SessionsStateTable", "SessionsEndedSessions"),
  InventoryAvailabilityApiFunction: () => ["AvailabilityTable: dynamodb:BatchGetItem, dynamodb:GetItem"],
  CardVelocityDecisionsApiFunction: () => ["CardVelocityDecisions: dynamodb:GetItem"],
  OrdersOrdersPerMinuteApiFunction: () => ["OrdersStateTable: dynamodb:BatchGetItem"],
  OutboxRelayFunction: () =>
    [
      "Alerts: sns:Publish",
      "TopicKey: kms:Decrypt, kms:GenerateDataKey*",
      ...STATE_TABLES.flatMap((table) => [
        `${table}: dynamodb:GetItem, dynamodb:PutItem`,
        `${table}/index/outbox-pending: dynamodb:Query`,
      ]),
    ].sort(),
  SessionsSweeper: () => [
    "SessionsEndedSessions: dynamodb:PutItem",
    "SessionsStateTable: dynamodb:UpdateItem",
    "SessionsStateTable/index/session-expiry: dynamodb:Query",
  ],
  DashboardApiFunction: () => [
    "AvailabilityTable/index/stock-alert: dynamodb:Query",
    "CardVelocityDecisions/index/decisions-by-time: dynamodb:Query",
    "DashboardAlertLogTable: dynamodb:Query",
    "OrdersStateTable: dynamodb:BatchGetItem",
    "SessionsStateTable/index/session-expiry: dynamodb:Query",
  ],
  DashboardAlertLogSubscriberFunction: () => [
    "DashboardAlertLogTable: dynamodb:PutItem",
    // Lambda's on-failure destination of the SNS deliveries it failed.
    "FailedAlertDeliveries: sqs:GetQueueAttributes, sqs:GetQueueUrl, sqs:SendMessage",
  ],
};

const fn = (name: string): FunctionPermissions => {
  const found = byFunction.get(name);
  if (!found) throw new Error(`the template has no function ${name}`);
  return found;
};

describe("each function's role holds exactly the actions its code calls", () => {
  it.each(Object.keys(EXPECTED))("%s", (name) => {
    expect(permissionLines(fn(name), DATA_SERVICES).sort()).toEqual(EXPECTED[name]!().sort());
  });

  it("lists every function of the stack", () => {
    expect([...byFunction.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("gives every function a role of its own, its own log group, no managed policy and no Scan, DeleteItem or BatchWriteItem", () => {
    const roles = new Set<string>();
    for (const [logicalId, resource] of resourcesOfType(template, "AWS::Lambda::Function")) {
      const role = (resource.Properties!.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      expect(roles.has(role), `${logicalId} shares its role`).toBe(false);
      roles.add(role);
    }
    for (const { function: name, permissions, managedPolicies } of byFunction.values()) {
      expect(managedPolicies, name).toEqual([]);
      expect(permissions.filter((p) => p.actions.some((a) => a.startsWith("logs:")))).toEqual([
        { resource: `${name}Logs`, actions: ["logs:CreateLogStream", "logs:PutLogEvents"] },
      ]);
      const actions = permissions.flatMap((p) => p.actions);
      expect(
        actions.filter((a) => /^dynamodb:(.*Scan.*|DeleteItem|BatchWriteItem)$/.test(a)),
        name,
      ).toEqual([]);
      expect(
        permissions.filter((p) => p.resource.endsWith("/index/*")),
        name,
      ).toEqual([]);
    }
  });

  it("are the table docs/deploy.md shows (npm run docs:permissions rewrites it)", () => {
    const document = readFileSync(join(import.meta.dirname, "../../docs/deploy.md"), "utf8");

    expect(withPermissionsTable(document, permissionsTable(synthesizeTemplate()))).toBe(document);
  });
});
