import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { TimeBudgetExceededError, UnprocessedKeysError } from "./engine/errors";
import { withRetry } from "./engine/retry";
import { STATE_TABLE_SCHEMA } from "./state-table-schema";

/** The attribute of a state item holding the reducer's state. */
const STATE_ATTRIBUTE = "state";
/** BatchGetItem's limit of keys per call. */
const BATCH_GET_LIMIT = 100;
/** How long a read may keep retrying throttling and unprocessed keys when the caller gives no deadline. */
const DEFAULT_READ_BUDGET_MS = 5_000;

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
  /**
   * Epoch ms by which the read must be done: transient errors and unprocessed keys are retried (by the engine's
   * `withRetry`, the one retry layer) until then, and a call still running then is aborted.
   * @default 5 seconds from the call
   */
  readonly deadline?: number;
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
  const { Item } = await send(tableName, "GetItem", options, (abortSignal) =>
    client.send(
      new GetCommand({
        TableName: tableName,
        Key: { [STATE_TABLE_SCHEMA.partitionKey]: key },
        ConsistentRead: options.consistentRead ?? false,
        ...projection,
      }),
      { abortSignal },
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
    await send(tableName, "BatchGetItem", options, async (abortSignal) => {
      const result = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: { Keys: pending, ConsistentRead: options.consistentRead ?? false, ...projection },
          },
        }),
        { abortSignal },
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        states.set(String(item[STATE_TABLE_SCHEMA.partitionKey]), item[STATE_ATTRIBUTE] as S);
      }
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      // Keys DynamoDB left unprocessed (throttling) are retried like throttling, with backoff.
      if (pending.length > 0) throw new UnprocessedKeysError(pending.length);
    });
  }
  return states;
}

async function send<T>(
  tableName: string,
  operation: string,
  options: StateReadOptions,
  call: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await withRetry(operation, call, {
      deadline: options.deadline ?? Date.now() + DEFAULT_READ_BUDGET_MS,
    });
  } catch (error) {
    if (error instanceof DynamoDBServiceException || error instanceof TimeBudgetExceededError) {
      throw new StateReadError(`reading state from ${tableName} failed: ${error.name}`, { cause: error });
    }
    throw error;
  }
}
