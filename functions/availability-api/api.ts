import { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Availability } from "../inventory/availability";
import { PRODUCT_ID_PATTERN } from "../inventory/schema";
import { readState, readStates } from "../shared/state-reader";

/** Environment variable naming the inventory consumer's state table, set by the stack on the API function. */
export const AVAILABILITY_TABLE_ENV = "AVAILABILITY_TABLE_NAME";

/** Most products one batch request may ask for. */
export const MAX_PRODUCTS_PER_REQUEST = 100;

export interface AvailabilityApiOptions {
  /** Reads the availability table. */
  readonly client: DynamoDBDocumentClient;
  /** The inventory consumer's state table. */
  readonly tableName: string;
  /** @default a Powertools logger for service `availability-api` */
  readonly logger?: Logger;
}

/** What the storefront sees of a product. */
export interface ProductAvailability {
  readonly productId: string;
  readonly quantity: number;
  readonly status: Availability["status"];
  readonly asOf: string;
}

type Response = APIGatewayProxyStructuredResultV2;
type Handler = (event: APIGatewayProxyEventV2) => Promise<Response>;

/**
 * The storefront's availability reads, as a Lambda Function URL handler:
 * `GET /availability/{productId}`, `GET /availability?productIds=P-1,P-2` and `POST /availability`
 * with `{ "productIds": [...] }` (at most 100).
 */
export function createAvailabilityApi(options: AvailabilityApiOptions): Handler {
  const logger = options.logger ?? new Logger({ serviceName: "availability-api" });
  const { client, tableName } = options;

  async function one(productId: string): Promise<Response> {
    if (!PRODUCT_ID_PATTERN.test(productId)) return json(400, { error: "bad product id", productId });
    const state = await readState<Availability>(client, tableName, productId);
    if (state === undefined) return json(404, { error: "unknown product", productId });
    return json(200, view(productId, state));
  }

  async function many(productIds: readonly string[]): Promise<Response> {
    const unique = [...new Set(productIds)];
    if (unique.length === 0) return json(400, { error: "productIds must name at least one product" });
    if (unique.length > MAX_PRODUCTS_PER_REQUEST)
      return json(400, { error: `at most ${MAX_PRODUCTS_PER_REQUEST} productIds per request` });
    const bad = unique.filter((id) => !PRODUCT_ID_PATTERN.test(id));
    if (bad.length > 0) return json(400, { error: "bad product ids", productIds: bad });
    const states = await readStates<Availability>(client, tableName, unique);
    const products = unique.flatMap((id) => {
      const state = states.get(id);
      return state === undefined ? [] : [view(id, state)];
    });
    return json(200, { products, unknown: unique.filter((id) => !states.has(id)) });
  }

  async function route(event: APIGatewayProxyEventV2): Promise<Response> {
    const method = event.requestContext.http.method;
    const path = event.rawPath.replace(/\/+$/, "");
    if (path === "/availability") {
      if (method === "GET") {
        const list = event.queryStringParameters?.productIds;
        if (list === undefined) return json(400, { error: "productIds query parameter is required" });
        return many(list.split(",").filter((id) => id !== ""));
      }
      if (method === "POST") {
        const productIds = productIdsOfBody(event);
        if (productIds === undefined)
          return json(400, { error: 'body must be JSON { "productIds": [string, ...] }' });
        return many(productIds);
      }
      return json(405, { error: `${method} not allowed` }, { allow: "GET, POST" });
    }
    const single = /^\/availability\/([^/]+)$/.exec(path);
    if (single) {
      if (method !== "GET") return json(405, { error: `${method} not allowed` }, { allow: "GET" });
      const productId = decoded(single[1]!);
      if (productId === undefined) return json(400, { error: "bad product id" });
      return one(productId);
    }
    return json(404, { error: "no such resource", path: event.rawPath });
  }

  return async (event) => {
    try {
      return await route(event);
    } catch (error) {
      logger.error("availability read failed", { error, path: event.rawPath });
      return json(500, { error: "availability is unavailable, try again" });
    }
  };
}

function view(productId: string, state: Availability): ProductAvailability {
  return { productId, quantity: state.quantity, status: state.status, asOf: state.asOf };
}

function productIdsOfBody(event: APIGatewayProxyEventV2): string[] | undefined {
  if (event.body === undefined) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const productIds = (body as { productIds?: unknown } | null)?.productIds;
  if (!Array.isArray(productIds) || !productIds.every((id) => typeof id === "string")) return undefined;
  return productIds;
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Response {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}
