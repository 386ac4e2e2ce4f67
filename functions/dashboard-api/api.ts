import { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type DashboardTables, readDashboard } from "./dashboard";

/** The dashboard's one route, the same behind the Function URL, CloudFront's `/api/*` and the local server. */
export const DASHBOARD_PATH = "/api/dashboard";

export interface DashboardApiOptions {
  readonly tables: DashboardTables;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default a client from the environment, created once */
  readonly dynamodb?: DynamoDBDocumentClient;
  /** @default a Powertools logger for service `dashboard-api` */
  readonly logger?: Logger;
}

type Response = APIGatewayProxyStructuredResultV2;
export type DashboardApiHandler = (event: APIGatewayProxyEventV2) => Promise<Response>;

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): Response => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});

/** `GET /api/dashboard` as a Function URL handler: every panel of the ops dashboard in one response. */
export function createDashboardApi(options: DashboardApiOptions): DashboardApiHandler {
  const logger = options.logger ?? new Logger({ serviceName: "dashboard-api" });
  const clock = options.clock ?? Date.now;
  return async (event) => {
    if (event.rawPath !== DASHBOARD_PATH) return json(404, { message: `no route ${event.rawPath}` });
    if (event.requestContext.http.method !== "GET")
      return json(405, { message: "only GET is allowed" }, { allow: "GET" });
    const dashboard = await readDashboard({
      tables: options.tables,
      now: clock(),
      dynamodb: options.dynamodb,
      onPanelError: (panel, error) => logger.error("dashboard panel not read", { panel, error }),
    });
    return json(200, dashboard);
  };
}
