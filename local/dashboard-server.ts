import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { buildDashboardPage } from "../dashboard/build";
import { createDashboardApi, DASHBOARD_PATH } from "../functions/dashboard-api/api";
import { dashboardTablesFromEnv } from "../functions/dashboard-api/settings";
import { type AlertLogFeed, startAlertLogFeed } from "./alert-log-feed";
import { templateFunction } from "./function-env";
import type { LocalComponent } from "./local-stack";
import { awsClients, type LocalStackResources } from "./resources";
import type { ServiceEndpoints } from "./services/endpoints";
import type { CfnTemplate } from "./template";

export const DASHBOARD_API_ENTRY = "functions/dashboard-api/handler.ts";
const PAGE_DIR = join(import.meta.dirname, "..", ".cache", "dashboard-page");
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "styles.css": "text/css; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.js.map": "application/json; charset=utf-8",
};
// The same headers CloudFront's security-headers policy adds, so a page that works here works there.
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
};

export interface DashboardServerOptions {
  /**
   * Port on 127.0.0.1; 0 takes any free port.
   * @default 4300, or any free port when 4300 is taken
   */
  readonly port?: number;
  /** The stack's resources created locally from `template`. */
  readonly resources: LocalStackResources;
  readonly template: CfnTemplate;
  /**
   * Where DynamoDB and SNS/SQS listen.
   * @default the endpoints in AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SNS (or AWS_ENDPOINT_URL)
   */
  readonly endpoints?: ServiceEndpoints;
  /**
   * Run the alert log's SNS subscription locally (see local/alert-log-feed.ts), so alerts reach the feed.
   * @default true
   */
  readonly alertLogFeed?: boolean;
  /** @default Date.now */
  readonly clock?: () => number;
  readonly onError?: (error: unknown) => void;
}

export interface DashboardServer {
  /** Where the page is, e.g. `http://127.0.0.1:4300/`. */
  readonly url: string;
  /** The local alert log subscription, when it runs. */
  readonly alertLogFeed?: AlertLogFeed;
  stop(): Promise<void>;
}

/**
 * The ops dashboard locally: the built page, and `/api/dashboard` answered by the dashboard API's handler
 * in process, with the table names the template gives the API function.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const { template, resources } = options;
  const api = templateFunction(template, resources, DASHBOARD_API_ENTRY);
  const clients = awsClients(endpoints);
  const handler = createDashboardApi({
    tables: dashboardTablesFromEnv(api.environment),
    dynamodb: DynamoDBDocumentClient.from(clients.dynamodb),
    clock: options.clock,
  });
  buildDashboardPage(PAGE_DIR);
  const onError = options.onError ?? ((error: unknown) => console.error("dashboard server:", error));
  const feed =
    options.alertLogFeed === false
      ? undefined
      : await startAlertLogFeed({ template, resources, endpoints, onError });

  const server = createServer((request, response) => {
    void serve(request, response).catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end("internal error");
    });
  });
  async function serve(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (url.pathname === DASHBOARD_PATH) {
      const result = await handler(functionUrlEvent(request, url));
      response.writeHead(result.statusCode ?? 200, {
        ...SECURITY_HEADERS,
        ...(result.headers as Record<string, string> | undefined),
      });
      response.end(result.body ?? "");
      return;
    }
    const file = url.pathname === "/" ? "index.html" : url.pathname.slice(1);
    const contentType = CONTENT_TYPES[file];
    if (!contentType || request.method !== "GET") {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
      return;
    }
    const body = await readFile(join(PAGE_DIR, file));
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": contentType,
      "cache-control": "no-cache",
    });
    response.end(body);
  }

  const port = await listen(server, options.port);
  return {
    url: `http://127.0.0.1:${port}/`,
    alertLogFeed: feed,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await feed?.stop();
      clients.dynamodb.destroy();
      clients.sns.destroy();
      clients.sqs.destroy();
    },
  };
}

/** The dashboard as a component of `npm start`, on the stack's own resources; says where the page is. */
export const dashboardComponent: LocalComponent = {
  name: "ops dashboard",
  async start({ template, resources, services }) {
    const server = await startDashboardServer({ template, resources, endpoints: services.endpoints });
    console.log(`Ops dashboard: ${server.url}`);
    return server;
  },
};

const DEFAULT_PORT = 4300;

async function listen(server: ReturnType<typeof createServer>, port?: number): Promise<number> {
  const tryPort = (candidate: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(candidate, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  if (port !== undefined) return tryPort(port);
  try {
    return await tryPort(DEFAULT_PORT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    return tryPort(0);
  }
}

function endpointsFromEnv(): ServiceEndpoints {
  const { AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SNS } = process.env;
  const dynamodb = AWS_ENDPOINT_URL_DYNAMODB ?? AWS_ENDPOINT_URL;
  const snsSqs = AWS_ENDPOINT_URL_SNS ?? AWS_ENDPOINT_URL;
  if (!dynamodb || !snsSqs)
    throw new Error(
      "startDashboardServer needs the local endpoints: pass `endpoints` or set AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SNS",
    );
  return { dynamodb, snsSqs, kafkaBrokers: [] };
}

/** The Function URL event AWS would build for this request (no IAM caller: the local server is loopback-only). */
function functionUrlEvent(request: IncomingMessage, url: URL): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(",") : (value ?? ""),
      ]),
    ),
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: "000000000000",
      apiId: "local-dashboard",
      domainName: url.host,
      domainPrefix: "local-dashboard",
      http: {
        method: request.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        userAgent: request.headers["user-agent"] ?? "",
      },
      requestId: `local-${now}`,
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}
