import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { isConditionFailure } from "../functions/shared/engine/errors";

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

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Adds a middleware that asks every call for its consumed capacity (TOTAL) and adds it up. */
export function meterDynamoDb(client: DynamoDBClient | DynamoDBDocumentClient): DynamoDbUsage {
  const usage: DynamoDbUsage = { reads: 0, writes: 0, refusedWrites: 0, readCapacity: 0, writeCapacity: 0 };
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
          // The refusal carries no ConsumedCapacity; AWS bills it at least one write unit, counted as one here.
          usage.writes++;
          usage.refusedWrites++;
          usage.writeCapacity += 1;
        }
        throw error;
      }
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      const consumed = [output.ConsumedCapacity ?? []].flat();
      const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
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
