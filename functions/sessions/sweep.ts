import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateQuery, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { STATE_TABLE_SCHEMA } from "../shared/state-table-schema";
import { traced } from "../shared/tracing";
import { EXPIRY_SHARDS, SESSION_EXPIRY_INDEX } from "./expiry-index";
import { type ActiveSession, endedSession, type SessionState } from "./session";

const defaultClient = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})));

/** An active session the expiry index says has timed out, as the sweeper read it. */
export interface ExpiredSession {
  readonly userId: string;
  /** The state item's version when read: ending the session requires it unchanged. */
  readonly version: number;
  readonly session: ActiveSession;
}

export interface SweepOptions {
  /** The sessions state table (with the session expiry index). */
  readonly tableName: string;
  /** The endedSessions table. */
  readonly endedSessionsTable: string;
  /** The sweep's clock reading, epoch milliseconds: every session with lastClick + gap ≤ now ends. */
  readonly now: number;
  /** @default a client from the environment, created once */
  readonly dynamodb?: DynamoDBDocumentClient;
  /** Runs after a session was read and before it is ended; lets a test put a click in between. */
  readonly beforeEnd?: (expired: ExpiredSession) => Promise<void>;
}

export interface SweepResult {
  /** Sessions this sweep ended and recorded. */
  readonly ended: number;
  /** Sessions a click (or another sweep) changed after the read: left to whoever changed them. */
  readonly overtaken: number;
}

/** Thrown when the sweep cannot read the index or end a session for a reason other than a lost race. */
export class SessionSweepError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SessionSweepError";
  }
}

/**
 * Ends every active session that timed out by `now`: found through the expiry index, one shard at a
 * time, each ended in one transaction with its endedSessions record on condition that the state item's
 * version is still the one read, so a click that extended the session meanwhile wins.
 */
export async function sweepExpiredSessions(options: SweepOptions): Promise<SweepResult> {
  const results = await Promise.all(EXPIRY_SHARDS.map((shard) => sweepShard(shard, options)));
  return {
    ended: results.reduce((sum, result) => sum + result.ended, 0),
    overtaken: results.reduce((sum, result) => sum + result.overtaken, 0),
  };
}

async function sweepShard(shard: string, options: SweepOptions): Promise<SweepResult> {
  const dynamodb = options.dynamodb ?? defaultClient;
  let ended = 0;
  let overtaken = 0;
  const pages = paginateQuery(
    { client: dynamodb },
    {
      TableName: options.tableName,
      IndexName: SESSION_EXPIRY_INDEX.name,
      KeyConditionExpression: "#shard = :shard AND #expiresAt <= :now",
      ExpressionAttributeNames: {
        "#shard": SESSION_EXPIRY_INDEX.partitionKey,
        "#expiresAt": SESSION_EXPIRY_INDEX.sortKey,
      },
      ExpressionAttributeValues: { ":shard": shard, ":now": options.now },
    },
  );
  try {
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const expired = expiredSessionOf(item);
        if (!expired) continue;
        await options.beforeEnd?.(expired);
        if (await endSession(expired, options, dynamodb)) ended += 1;
        else overtaken += 1;
      }
    }
  } catch (error) {
    if (error instanceof SessionSweepError) throw error;
    throw new SessionSweepError(`cannot sweep expiry shard ${shard} of ${options.tableName}`, {
      cause: error,
    });
  }
  return { ended, overtaken };
}

function expiredSessionOf(item: Record<string, unknown>): ExpiredSession | undefined {
  const state = item.state as SessionState | undefined;
  const userId = item[STATE_TABLE_SCHEMA.partitionKey];
  if (!state?.active || typeof userId !== "string" || typeof item.version !== "number") return undefined;
  return { userId, version: item.version, session: state.active };
}

/** True when this sweep ended the session; false when the item changed since it was read. */
async function endSession(
  expired: ExpiredSession,
  options: SweepOptions,
  dynamodb: DynamoDBDocumentClient,
): Promise<boolean> {
  const ended: SessionState = { active: null };
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: options.tableName,
              Key: { [STATE_TABLE_SCHEMA.partitionKey]: expired.userId },
              UpdateExpression: "SET #state = :ended, #version = :next REMOVE #shard, #expiresAt",
              ConditionExpression: "#version = :seen",
              ExpressionAttributeNames: {
                "#state": "state",
                "#version": "version",
                "#shard": SESSION_EXPIRY_INDEX.partitionKey,
                "#expiresAt": SESSION_EXPIRY_INDEX.sortKey,
              },
              ExpressionAttributeValues: {
                ":ended": ended,
                ":next": expired.version + 1,
                ":seen": expired.version,
              },
            },
          },
          {
            Put: {
              TableName: options.endedSessionsTable,
              Item: endedSession(expired.userId, expired.session),
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException && lostCondition(error)) return false;
    throw new SessionSweepError(`cannot end session ${expired.session.sessionId} of ${expired.userId}`, {
      cause: error,
    });
  }
}

function lostCondition(error: TransactionCanceledException): boolean {
  return error.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed";
}
