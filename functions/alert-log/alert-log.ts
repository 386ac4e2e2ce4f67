import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { SEVERITIES } from "../shared/engine/types";
import { traced } from "../shared/tracing";

/**
 * The alert log's layout, shared by the CDK that creates the table, the subscriber that writes it and the
 * dashboard that reads it: one partition per UTC day of the alerts' event time, sorted by event time.
 */
export const ALERT_LOG_SCHEMA = {
  partitionKey: "pk",
  sortKey: "sk",
  timeToLive: "expiresAt",
  /** Alerts are kept this many days after their event time. */
  keepDays: 7,
} as const;

/** The environment variable naming the alert log table, on the subscriber and the dashboard API. */
export const ALERT_LOG_TABLE_ENV = "ALERT_LOG_TABLE_NAME";

const DAY_MS = 86_400_000;
const PARTITION_PREFIX = "alerts#";

/** An alert as the engine publishes it on the alert topic (the SNS message body). */
export const loggedAlertSchema = z.object({
  alertId: z.string().min(1).max(512),
  alertType: z.string().min(1).max(100),
  severity: z.enum(SEVERITIES),
  subjectId: z.string().min(1).max(512),
  eventTime: z.iso.datetime({ offset: true }),
  message: z.string().max(2000),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type LoggedAlert = z.infer<typeof loggedAlertSchema>;

/** The partition of the UTC day of `at` (epoch ms): `alerts#2026-11-20`. */
export function alertLogPartition(at: number): string {
  return `${PARTITION_PREFIX}${new Date(at).toISOString().slice(0, 10)}`;
}

/** The item an alert is logged as; its key comes from the alert alone, so a repeat lands on the same item. */
export function alertLogItem(alert: LoggedAlert): Record<string, unknown> {
  const at = Date.parse(alert.eventTime);
  const eventTime = new Date(at).toISOString();
  return {
    [ALERT_LOG_SCHEMA.partitionKey]: alertLogPartition(at),
    [ALERT_LOG_SCHEMA.sortKey]: `${eventTime}#${alert.alertId}`,
    ...alert,
    eventTime,
    [ALERT_LOG_SCHEMA.timeToLive]: Math.floor(at / 1000) + ALERT_LOG_SCHEMA.keepDays * 86_400,
  };
}

/** Thrown when the alert log cannot be written or read; `cause` holds the SDK's error. */
export class AlertLogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AlertLogError";
  }
}

const defaultClient = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});

/** Logs one alert once: `logged` is false when an alert with the same id and event time is already there. */
export async function logAlert(
  tableName: string,
  alert: LoggedAlert,
  dynamodb: DynamoDBDocumentClient = defaultClient,
): Promise<{ logged: boolean }> {
  try {
    await dynamodb.send(
      new PutCommand({
        TableName: tableName,
        Item: alertLogItem(alert),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": ALERT_LOG_SCHEMA.partitionKey },
      }),
    );
    return { logged: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { logged: false };
    throw new AlertLogError(`logging alert ${alert.alertId} in ${tableName} failed`, { cause: error });
  }
}

export interface RecentAlertsQuery {
  /** The alert log table. */
  readonly tableName: string;
  /** Epoch milliseconds: days are counted back from the day of `now`. */
  readonly now: number;
  /**
   * How many alerts, newest first.
   * @default 50
   */
  readonly limit?: number;
  /** @default a client from the environment, created once */
  readonly dynamodb?: DynamoDBDocumentClient;
}

/** The newest alerts of the log, newest first: day partitions queried backwards until `limit` are found. */
export async function readRecentAlerts(query: RecentAlertsQuery): Promise<LoggedAlert[]> {
  const limit = query.limit ?? 50;
  const dynamodb = query.dynamodb ?? defaultClient;
  const alerts: LoggedAlert[] = [];
  // Tomorrow first: a producer's clock slightly ahead of ours near midnight.
  for (let day = 1; day >= -ALERT_LOG_SCHEMA.keepDays && alerts.length < limit; day--) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await send(query.tableName, () =>
        dynamodb.send(
          new QueryCommand({
            TableName: query.tableName,
            KeyConditionExpression: "#pk = :pk",
            ExpressionAttributeNames: { "#pk": ALERT_LOG_SCHEMA.partitionKey },
            ExpressionAttributeValues: { ":pk": alertLogPartition(query.now + day * DAY_MS) },
            ScanIndexForward: false,
            Limit: limit - alerts.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) alerts.push(loggedAlertOf(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && alerts.length < limit);
  }
  return alerts;
}

function loggedAlertOf(item: Record<string, unknown>): LoggedAlert {
  const { alertId, alertType, severity, subjectId, eventTime, message, details } = item as LoggedAlert;
  return { alertId, alertType, severity, subjectId, eventTime, message, ...(details ? { details } : {}) };
}

async function send<T>(tableName: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AlertLogError(`reading the alert log ${tableName} failed`, { cause: error });
  }
}
