import { type DynamoDBDocumentClient, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { DECISIONS_BY_TIME_INDEX } from "../card-velocity/decisions-index";

/** A transaction the card velocity rule flagged. */
export interface FlaggedTransaction {
  readonly transactionId: string;
  /** A hash of the card, never its number. */
  readonly cardFingerprint: string;
  /** The card's transactions in the 60 s window ending at this one. */
  readonly count: number;
  readonly eventTime: string;
}

export interface FlaggedTransactions {
  /** Flagged transactions with event time in (now − 1 h, now]. */
  readonly total: number;
  /** The newest of them, newest first, at most `limit`. */
  readonly transactions: readonly FlaggedTransaction[];
}

export interface FlaggedTransactionsQuery {
  /** The card velocity decisions table, with the decisions-by-time index. */
  readonly tableName: string;
  /** Epoch milliseconds. */
  readonly now: number;
  readonly dynamodb: DynamoDBDocumentClient;
  /** @default 50 */
  readonly limit?: number;
}

const HOUR_MS = 3_600_000;

/** Flagged transactions of the last hour of event time, from the decisions-by-time index (no scan). */
export async function readFlaggedTransactions(query: FlaggedTransactionsQuery): Promise<FlaggedTransactions> {
  const limit = query.limit ?? 50;
  const from = query.now - HOUR_MS;
  // Event times differ in sub-second digits ("…:05Z", "…:05.120Z"), so the key range starts at the
  // second's prefix, which sorts before every spelling of that second, and the exact bounds apply below.
  const fromSecond = new Date(from).toISOString().slice(0, 19);
  const transactions: FlaggedTransaction[] = [];
  let total = 0;
  const pages = paginateQuery(
    { client: query.dynamodb },
    {
      TableName: query.tableName,
      IndexName: DECISIONS_BY_TIME_INDEX.name,
      KeyConditionExpression: "#decision = :flagged AND #eventTime >= :from",
      ExpressionAttributeNames: {
        "#decision": DECISIONS_BY_TIME_INDEX.partitionKey,
        "#eventTime": DECISIONS_BY_TIME_INDEX.sortKey,
      },
      ExpressionAttributeValues: { ":flagged": "FLAGGED", ":from": fromSecond },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const at = Date.parse(String(item.eventTime));
      if (!(at > from && at <= query.now)) continue;
      total++;
      if (transactions.length < limit) {
        transactions.push({
          transactionId: String(item.transactionId),
          cardFingerprint: String(item.cardFingerprint),
          count: Number(item.count),
          eventTime: String(item.eventTime),
        });
      }
    }
  }
  return { total, transactions };
}
