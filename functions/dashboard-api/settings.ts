import { ALERT_LOG_TABLE_ENV } from "../alert-log/alert-log";
import { requiredEnv } from "../shared/env";
import type { DashboardTables } from "./dashboard";

/** The environment variable per table the dashboard reads, as the stack sets them on the API function. */
export const DASHBOARD_ENV = {
  orders: "ORDERS_TABLE_NAME",
  ordersPartitions: "ORDERS_PARTITIONS",
  // The availability table, which the dashboard reads through its stock-alert index only.
  availability: "STOCK_TABLE_NAME",
  decisions: "DECISIONS_TABLE_NAME",
  sessions: "SESSIONS_TABLE_NAME",
  alertLog: ALERT_LOG_TABLE_ENV,
} as const satisfies Record<keyof DashboardTables, string>;

/** Thrown when the API function's environment names a setting it cannot use. */
export class DashboardConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DashboardConfigError";
  }
}

/** The dashboard's tables from the environment; fails naming the first variable that is missing or bad. */
export function dashboardTablesFromEnv(env: NodeJS.ProcessEnv = process.env): DashboardTables {
  const partitions = Number(requiredEnv(DASHBOARD_ENV.ordersPartitions, env));
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new DashboardConfigError(`${DASHBOARD_ENV.ordersPartitions} must be a positive integer`);
  return {
    orders: requiredEnv(DASHBOARD_ENV.orders, env),
    ordersPartitions: partitions,
    availability: requiredEnv(DASHBOARD_ENV.availability, env),
    decisions: requiredEnv(DASHBOARD_ENV.decisions, env),
    sessions: requiredEnv(DASHBOARD_ENV.sessions, env),
    alertLog: requiredEnv(DASHBOARD_ENV.alertLog, env),
  };
}
