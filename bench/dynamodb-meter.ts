import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { isConditionFailure } from "../functions/shared/engine/errors";
import { itemBytes } from "../functions/shared/engine/item-size";

/** DynamoDB requests and consumed capacity units, as a bill would count them. */
export interface DynamoDbUsage {
  reads: number;
  /** Write requests, a refused conditional write included (AWS bills it too). */
  writes: number;
  /** Of `writes`, the ones whose condition failed: a lost race (or a redelivery) that the engine redid. */
  refusedWrites: number;
  readCapacity: number;
  writeCapacity: number;
}

const READS = new Set([
  "GetItemCommand",
  "BatchGetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "TransactGetItemsCommand",
]);
const WRITES = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "BatchWriteItemCommand",
  "TransactWriteItemsCommand",
]);

const TRANSACTION = "TransactWriteItemsCommand";

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/**
 * A TransactWriteItems' puts as AWS bills them: two units per KB of each item (prepare and commit), and a unit per
 * write to each index that holds the item (a put, and a delete of the entry it replaces when the item existed;
 * keys-only indexes, so a unit each). DynamoDB Local's own answer for a transaction is not per item (two items of
 * 3 KB and twenty-five both report 6 units), so it is not used.
 */
async function transactionUnits(
  input: unknown,
  indexKeys: (table: string) => Promise<string[]>,
): Promise<number> {
  type Put = { TableName?: string; Item?: Record<string, unknown>; ConditionExpression?: string };
  const actions = (input as { TransactItems?: { Put?: Put }[] }).TransactItems ?? [];
  let units = 0;
  for (const { Put } of actions) {
    const item = Put?.Item ?? {};
    const replaces = Put?.ConditionExpression?.startsWith("attribute_not_exists") !== true;
    const indexed = (await indexKeys(Put?.TableName ?? "")).filter((key) => item[key] !== undefined).length;
    units += 2 * Math.max(1, Math.ceil(itemBytes(item) / 1024)) + indexed * (replaces ? 2 : 1);
  }
  return units;
}

/** Adds a middleware that asks every call for its consumed capacity (TOTAL) and adds it up. */
export function meterDynamoDb(client: DynamoDBClient | DynamoDBDocumentClient): DynamoDbUsage {
  const usage: DynamoDbUsage = { reads: 0, writes: 0, refusedWrites: 0, readCapacity: 0, writeCapacity: 0 };
  const indexes = new Map<string, Promise<string[]>>();
  // The partition key attribute of each index of `table`, described once.
  const indexKeys = (table: string) => {
    if (!indexes.has(table))
      indexes.set(
        table,
        (client as DynamoDBClient)
          .send(new DescribeTableCommand({ TableName: table }))
          .then(({ Table }) =>
            (Table?.GlobalSecondaryIndexes ?? []).map(
              (index) => index.KeySchema?.find((key) => key.KeyType === "HASH")?.AttributeName ?? "",
            ),
          ),
      );
    return indexes.get(table)!;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = "TOTAL";
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        if (WRITES.has(command) && isConditionFailure(error)) {
          // The refusal carries no ConsumedCapacity. AWS bills it at least one write unit, counted as one here;
          // a cancelled transaction as its prepare phase, one unit per KB per item.
          usage.writes++;
          usage.refusedWrites++;
          usage.writeCapacity +=
            command === TRANSACTION ? (await transactionUnits(args.input, indexKeys)) / 2 : 1;
        }
        throw error;
      }
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      const consumed = [output.ConsumedCapacity ?? []].flat();
      const units =
        command === TRANSACTION
          ? await transactionUnits(args.input, indexKeys)
          : consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (READS.has(command)) {
        usage.reads++;
        usage.readCapacity += units;
      } else if (WRITES.has(command)) {
        usage.writes++;
        usage.writeCapacity += units;
      }
      return result;
    },
    { step: "initialize", name: "benchDynamoDbMeter" },
  );
  return usage;
}
