import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type LoggedAlert, readRecentAlerts } from "../alert-log/alert-log";
import { type OrdersPerMinute, readOrdersPerMinute } from "../orders/orders-per-minute";
import { countActiveSessions } from "../sessions/active-sessions";
import { traced } from "../shared/tracing";
import { type FlaggedTransactions, readFlaggedTransactions } from "./flagged-transactions";
import { readStockAlerts, type StockAlerts } from "./stock-alerts";

/** The tables the dashboard reads, as the stack names them in the API function's environment. */
export interface DashboardTables {
  /** The orders consumer's state: minute counter shards. */
  readonly orders: string;
  /** Partitions of `theworldshop.orders`, whose minute shards are summed. */
  readonly ordersPartitions: number;
  /** The availability state table, with the stock-alert index. */
  readonly availability: string;
  /** The card velocity decisions, with the decisions-by-time index. */
  readonly decisions: string;
  /** The sessions state table, with the session expiry index. */
  readonly sessions: string;
  readonly alertLog: string;
}

/** One panel's data, or why it could not be read: one failing source never blanks the whole page. */
export type Panel<T> =
  | { readonly status: "ok"; readonly data: T }
  | { readonly status: "error"; readonly message: string };

/** An alert as the feed shows it: the SNS message without its details. */
export type FeedAlert = Omit<LoggedAlert, "details">;

/** Everything the ops dashboard shows, in one response. */
export interface Dashboard {
  /** The reading's time, ISO-8601 UTC. */
  readonly asOf: string;
  /** The last 60 minutes, oldest first, the current minute last (still filling). */
  readonly ordersPerMinute: Panel<readonly OrdersPerMinute[]>;
  readonly stock: Panel<StockAlerts>;
  /** The last 50 alerts, newest first. */
  readonly alerts: Panel<readonly FeedAlert[]>;
  /** Flagged transactions of the last hour. */
  readonly fraud: Panel<FlaggedTransactions>;
  readonly sessions: Panel<{ readonly active: number }>;
}

export interface ReadDashboardOptions {
  readonly tables: DashboardTables;
  /** Epoch milliseconds of the reading. */
  readonly now: number;
  /** @default a client from the environment, created once */
  readonly dynamodb?: DynamoDBDocumentClient;
  /** Sees each panel that failed, with its error (the response only says which source failed). */
  readonly onPanelError?: (panel: keyof Omit<Dashboard, "asOf">, error: unknown) => void;
}

export const ORDERS_MINUTES = 60;
export const FEED_ALERTS = 50;

const defaultClient = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})));

/** Reads every panel in parallel: queries on indexes and keyed reads only, never a scan. */
export async function readDashboard(options: ReadDashboardOptions): Promise<Dashboard> {
  const { tables, now } = options;
  const dynamodb = options.dynamodb ?? defaultClient;
  const panel = async <K extends keyof Omit<Dashboard, "asOf">, T>(
    name: K,
    what: string,
    read: () => Promise<T>,
  ): Promise<Panel<T>> => {
    try {
      return { status: "ok", data: await read() };
    } catch (error) {
      options.onPanelError?.(name, error);
      return { status: "error", message: `could not read ${what}` };
    }
  };
  const [ordersPerMinute, stock, alerts, fraud, sessions] = await Promise.all([
    panel("ordersPerMinute", "orders per minute", () =>
      readOrdersPerMinute({
        tableName: tables.orders,
        partitions: tables.ordersPartitions,
        now: new Date(now),
        minutes: ORDERS_MINUTES,
        dynamodb,
      }),
    ),
    panel("stock", "stock levels", () => readStockAlerts({ tableName: tables.availability, dynamodb })),
    panel("alerts", "the alert log", async () =>
      (await readRecentAlerts({ tableName: tables.alertLog, now, limit: FEED_ALERTS, dynamodb })).map(
        ({ details: _details, ...alert }) => alert,
      ),
    ),
    panel("fraud", "flagged transactions", () =>
      readFlaggedTransactions({ tableName: tables.decisions, now, dynamodb }),
    ),
    panel("sessions", "active sessions", async () => ({
      active: await countActiveSessions({ tableName: tables.sessions, now, dynamodb }),
    })),
  ]);
  return { asOf: new Date(now).toISOString(), ordersPerMinute, stock, alerts, fraud, sessions };
}
