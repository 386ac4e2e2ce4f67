import { Logger } from "@aws-lambda-powertools/logger";
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DECISIONS, type FlaggedDecision, type NoDecision } from "../card-velocity/decision";
import { transactionIdSchema } from "../card-velocity/schema";
import { maskCardNumbers } from "../shared/card-numbers";

export interface DecisionsApiOptions {
  /** The client the decisions are read with (a DynamoDB Local one in tests). */
  readonly dynamodb: DynamoDBDocumentClient;
  /** The card velocity decisions table, keyed by `transactionId`. */
  readonly tableName: string;
  /** @default a Powertools logger for the decisions API */
  readonly logger?: Logger;
}

export type DecisionsApi = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const ROUTE = /^\/decisions\/([^/]+)\/?$/;

/**
 * `GET /decisions/{transactionId}` behind a Function URL: the card velocity decision the payment service
 * checks before a payment clears, `{ transactionId, decision: "NONE" }` when the transaction is not flagged.
 */
export function createDecisionsApi(options: DecisionsApiOptions): DecisionsApi {
  const logger = options.logger ?? new Logger({ serviceName: "decisionsApi" });
  return async (event) => {
    const match = ROUTE.exec(event.rawPath);
    if (!match) return respond(404, { message: "not found: use GET /decisions/{transactionId}" });
    if (event.requestContext.http.method !== "GET") {
      return respond(405, { message: "only GET is allowed" }, { allow: "GET" });
    }
    const transactionId = transactionIdOf(match[1]!);
    if (transactionId === undefined) {
      logger.info("refused a bad transaction id", { path: maskCardNumbers(event.rawPath) });
      return respond(400, { message: "bad transactionId: 1-128 letters, digits, '_', '.', ':' or '-'" });
    }
    try {
      const { Item } = await options.dynamodb.send(
        // Consistent: the payment service asks right before it clears, just after the decision was written.
        new GetCommand({ TableName: options.tableName, Key: { transactionId }, ConsistentRead: true }),
      );
      return respond(200, Item ? flaggedDecision(Item) : noDecision(transactionId));
    } catch (error) {
      logger.error("could not read the decision", { transactionId, error });
      return respond(503, { message: "decisions are unavailable, try again" }, { "retry-after": "1" });
    }
  };
}

/** Only the decision's own attributes, whatever else the item carries. */
function flaggedDecision(item: Record<string, unknown>): FlaggedDecision {
  const { transactionId, decision, count, cardFingerprint, eventTime } = item as FlaggedDecision;
  return { transactionId, decision, count, cardFingerprint, eventTime };
}

function noDecision(transactionId: string): NoDecision {
  return { transactionId, decision: DECISIONS.NONE };
}

function transactionIdOf(segment: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  const parsed = transactionIdSchema.safeParse(decoded);
  return parsed.success ? parsed.data : undefined;
}

function respond(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}
