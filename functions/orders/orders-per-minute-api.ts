import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
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
}

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}) => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});

/** `GET /orders-per-minute?minutes=N` behind a Function URL: the last N minutes (default 60), oldest first. */
export function createOrdersPerMinuteApi(options: OrdersPerMinuteApiOptions) {
  const clock = options.clock ?? (() => new Date());
  return async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    if (event.rawPath !== ORDERS_PER_MINUTE_PATH) return json(404, { message: `no route ${event.rawPath}` });
    if (event.requestContext.http.method !== "GET")
      return json(405, { message: "only GET is allowed" }, { allow: "GET" });
    const text = event.queryStringParameters?.minutes ?? "60";
    const minutes = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
    if (!(minutes >= 1 && minutes <= MAX_MINUTES))
      return json(400, { message: `minutes must be an integer from 1 to ${MAX_MINUTES}, got ${text}` });
    const now = clock();
    const perMinute = await readOrdersPerMinute({
      tableName: options.tableName,
      partitions: options.partitions,
      now,
      minutes,
      dynamodb: options.dynamodb,
    });
    return json(200, { asOf: now.toISOString(), minutes: perMinute });
  };
}
