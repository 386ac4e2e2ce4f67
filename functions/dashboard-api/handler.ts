import { Logger } from "@aws-lambda-powertools/logger";
import { createDashboardApi } from "./api";
import { dashboardTablesFromEnv } from "./settings";
import { opsAccessTokenVerifierFromEnv, requireSignIn } from "./sign-in";

const logger = new Logger({ serviceName: "dashboard-api" });

/**
 * The ops dashboard's API behind an IAM-authenticated Function URL (CloudFront reaches it through an OAC), open
 * only to signed-in members of the ops group. The local server runs `createDashboardApi` without sign-in.
 */
export const handler = requireSignIn(
  createDashboardApi({ tables: dashboardTablesFromEnv(), logger }),
  opsAccessTokenVerifierFromEnv(),
  logger,
);
