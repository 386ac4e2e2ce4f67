import type { APIGatewayProxyEventV2 } from "aws-lambda";
import base from "../events/function-url-availability.json";

export interface FunctionUrlRequest {
  readonly method?: string;
  /** Path and optional query string, e.g. `/availability?productIds=P-1,P-2`. */
  readonly url: string;
  /** A JSON body; sent base64-encoded, as Function URLs pass most bodies. */
  readonly json?: unknown;
}

/** A Lambda Function URL event (IAM-authenticated) for `request`, as AWS invokes the function with it. */
export function functionUrlEvent(request: FunctionUrlRequest): APIGatewayProxyEventV2 {
  const method = request.method ?? (request.json === undefined ? "GET" : "POST");
  const [rawPath = "", rawQueryString = ""] = request.url.split("?", 2);
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters = rawQueryString
    ? Object.fromEntries([...query.keys()].map((name) => [name, query.getAll(name).join(",")]))
    : undefined;
  const event = {
    ...base,
    rawPath,
    rawQueryString,
    requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method, path: rawPath } },
  } as unknown as APIGatewayProxyEventV2;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  if (request.json !== undefined) {
    event.headers = { ...event.headers, "content-type": "application/json" };
    event.body = Buffer.from(JSON.stringify(request.json)).toString("base64");
    event.isBase64Encoded = true;
  }
  return event;
}
