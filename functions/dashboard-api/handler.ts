import { createDashboardApi } from "./api";
import { dashboardTablesFromEnv } from "./settings";

/** The ops dashboard's API behind an IAM-authenticated Function URL (CloudFront reaches it through an OAC). */
export const handler = createDashboardApi({ tables: dashboardTablesFromEnv() });
