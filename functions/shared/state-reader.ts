import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { STATE_TABLE_SCHEMA } from "./state-table-schema";

/** The attribute of a state item holding the reducer's state. */
const STATE_ATTRIBUTE = "state";
/** BatchGetItem's limit of keys per call. */
const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRIES = 5;

/** Thrown when DynamoDB refuses a state read; `cause` holds the SDK's error. */
export class StateReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StateReadError";
  }
}

export interface StateReadOptions {
  /**
   * Strongly consistent reads, at twice the cost.
   * @default false
   */
  readonly consistentRead?: boolean;
}

const projection = {
  ProjectionExpression: "#pk, #state",
  ExpressionAttributeNames: { "#pk": STATE_TABLE_SCHEMA.partitionKey, "#state": STATE_ATTRIBUTE },
};

/** The state a consumer keeps under `key` in a state table, or undefined for a key never written. */
export async function readState<S>(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: string,
  options: StateReadOptions = {},
): Promise<S | undefined> {
  const { Item } = await send(tableName, () =>
    client.send(
      new GetCommand({
        TableName: tableName,
        Key: { [STATE_TABLE_SCHEMA.partitionKey]: key },
        ConsistentRead: options.consistentRead ?? false,
        ...projection,
      }),
    ),
  );
  return Item?.[STATE_ATTRIBUTE] as S | undefined;
}

/** The states of any number of keys, by key; keys never written are absent from the map. */
export async function readStates<S>(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly string[],
  options: StateReadOptions = {},
): Promise<Map<string, S>> {
  const states = new Map<string, S>();
  const unique = [...new Set(keys)];
  for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
    let pending: Record<string, unknown>[] = unique
      .slice(start, start + BATCH_GET_LIMIT)
      .map((key) => ({ [STATE_TABLE_SCHEMA.partitionKey]: key }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      // BatchGetItem may leave keys unprocessed under throttling; retry those, with backoff, a few times.
      if (attempt > UNPROCESSED_RETRIES) {
        throw new StateReadError(`${tableName}: ${pending.length} keys still unprocessed after retries`);
      }
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const keysNow = pending;
      const result = await send(tableName, () =>
        client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: { Keys: keysNow, ConsistentRead: options.consistentRead ?? false, ...projection },
            },
          }),
        ),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        states.set(String(item[STATE_TABLE_SCHEMA.partitionKey]), item[STATE_ATTRIBUTE] as S);
      }
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return states;
}

async function send<T>(tableName: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DynamoDBServiceException) {
      throw new StateReadError(`reading state from ${tableName} failed: ${error.name}`, { cause: error });
    }
    throw error;
  }
}
