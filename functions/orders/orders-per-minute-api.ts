import { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { MAX_MINUTES, readOrdersPerMinute } from "./orders-per-minute";

export const ORDERS_PER_MINUTE_PATH = "/orders-per-minute";

export interface OrdersPerMinuteApiOptions {
  /** The orders consumer's state table. */
  readonly tableName: string;
  /** Partitions of `theworldshop.orders`, whose shards are summed. */
  readonly partitions: number;
  /** @default the current time */
  readonly clock?: () => Date;
  /** @default a client for the environment's region and endpoint */
  readonly dynamodb?: DynamoDBDocumentClient;
  /** @default a Powertools logger for the orders-per-minute API */
  readonly logger?: Logger;
}

export type OrdersPerMinuteApi = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

const respond = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});

/** `GET /orders-per-minute?minutes=N` behind a Function URL: the last N minutes (default 60), oldest first. */
export function createOrdersPerMinuteApi(options: OrdersPerMinuteApiOptions): OrdersPerMinuteApi {
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? new Logger({ serviceName: "ordersPerMinuteApi" });
  return async (event) => {
    if (event.rawPath !== ORDERS_PER_MINUTE_PATH)
      return respond(404, { message: "not found: use GET /orders-per-minute?minutes=N" });
    if (event.requestContext.http.method !== "GET")
      return respond(405, { message: "only GET is allowed" }, { allow: "GET" });
    const text = event.queryStringParameters?.minutes ?? "60";
    const minutes = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
    if (!(minutes >= 1 && minutes <= MAX_MINUTES))
      return respond(400, { message: `minutes must be an integer from 1 to ${MAX_MINUTES}, got ${text}` });
    const now = clock();
    try {
      const perMinute = await readOrdersPerMinute({
        tableName: options.tableName,
        partitions: options.partitions,
        now,
        minutes,
        dynamodb: options.dynamodb,
      });
      return respond(200, { asOf: now.toISOString(), minutes: perMinute });
    } catch (error) {
      logger.error("could not read orders per minute", { minutes, error });
      return respond(
        503,
        { message: "orders per minute are unavailable, try again" },
        { "retry-after": "1" },
      );
    }
  };
}
