import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { EXPIRY_SHARDS, SESSION_EXPIRY_INDEX } from "./expiry-index";

const defaultClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export interface ActiveSessionsQuery {
  /** The sessions state table (with the session expiry index). */
  readonly tableName: string;
  /** Epoch milliseconds: a session is active at `now` while lastClick + gap > now. */
  readonly now: number;
  /** @default a client from the environment, created once */
  readonly dynamodb?: DynamoDBDocumentClient;
}

/** How many users have an active session at `now`, counted on the expiry index (no table scan). */
export async function countActiveSessions(query: ActiveSessionsQuery): Promise<number> {
  const counts = await Promise.all(EXPIRY_SHARDS.map((shard) => countShard(shard, query)));
  return counts.reduce((sum, count) => sum + count, 0);
}

async function countShard(shard: string, query: ActiveSessionsQuery): Promise<number> {
  let count = 0;
  const pages = paginateQuery(
    { client: query.dynamodb ?? defaultClient },
    {
      TableName: query.tableName,
      IndexName: SESSION_EXPIRY_INDEX.name,
      KeyConditionExpression: "#shard = :shard AND #expiresAt > :now",
      ExpressionAttributeNames: {
        "#shard": SESSION_EXPIRY_INDEX.partitionKey,
        "#expiresAt": SESSION_EXPIRY_INDEX.sortKey,
      },
      ExpressionAttributeValues: { ":shard": shard, ":now": query.now },
      Select: "COUNT",
    },
  );
  for await (const page of pages) count += page.Count ?? 0;
  return count;
}
