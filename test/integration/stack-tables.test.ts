import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import type { LocalStackResources } from "../../local/resources";
import { resourcesOfType } from "../../local/template";
import { createTestStack, stackTemplate } from "../support/stack";

describe("the stack's tables, created from the synthesized template", () => {
  let stack: LocalStackResources;
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

  beforeAll(async () => {
    stack = await createTestStack("platform");
  });

  it("creates every table of the template with its keys and indexes", async () => {
    const tables = resourcesOfType(stackTemplate(), "AWS::DynamoDB::GlobalTable");
    expect(tables.length).toBeGreaterThan(0);
    for (const [logicalId, resource] of tables) {
      const name = stack.byLogicalId.get(logicalId)!.ref;
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.KeySchema).toEqual(resource.Properties?.KeySchema);
      const indexes =
        (resource.Properties?.GlobalSecondaryIndexes as { IndexName: string }[] | undefined) ?? [];
      expect((Table?.GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName).sort()).toEqual(
        indexes.map((gsi) => gsi.IndexName).sort(),
      );
    }
  });

  it("round-trips an item and refuses a conditional write against a stale version", async () => {
    const [logicalId] = resourcesOfType(stackTemplate(), "AWS::DynamoDB::GlobalTable")[0]!;
    const TableName = stack.byLogicalId.get(logicalId)!.ref;
    const Item = { pk: "P-123", version: 1, state: { quantity: 7, status: "LOW_STOCK" } };

    await dynamodb.send(new PutCommand({ TableName, Item, ConditionExpression: "attribute_not_exists(pk)" }));
    const again = dynamodb.send(
      new PutCommand({ TableName, Item, ConditionExpression: "attribute_not_exists(pk)" }),
    );
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);

    await dynamodb.send(
      new PutCommand({
        TableName,
        Item: { ...Item, version: 2, state: { quantity: 0, status: "OUT_OF_STOCK" } },
        ConditionExpression: "version = :seen",
        ExpressionAttributeValues: { ":seen": 1 },
      }),
    );
    const stale = dynamodb.send(
      new PutCommand({
        TableName,
        Item: { ...Item, version: 2 },
        ConditionExpression: "version = :seen",
        ExpressionAttributeValues: { ":seen": 1 },
      }),
    );
    await expect(stale).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item: stored } = await dynamodb.send(
      new GetCommand({ TableName, Key: { pk: "P-123" }, ConsistentRead: true }),
    );
    expect(stored).toEqual({ pk: "P-123", version: 2, state: { quantity: 0, status: "OUT_OF_STOCK" } });
  });
});
