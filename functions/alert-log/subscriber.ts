import { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SNSEvent } from "aws-lambda";
import { logAlert, loggedAlertSchema } from "./alert-log";

export interface AlertLogSubscriberOptions {
  /** The alert log table. */
  readonly tableName: string;
  /** @default a client from the environment, created once */
  readonly dynamodb?: DynamoDBDocumentClient;
  /** @default a Logger for the `alertLog` service */
  readonly logger?: Logger;
}

/** What one delivery did. */
export interface AlertLogResult {
  readonly logged: number;
  /** Alerts already in the log: a repeated publish of the same alert. */
  readonly repeats: number;
  /** Messages that are not alerts: logged as errors and dropped, since retrying cannot fix them. */
  readonly invalid: number;
}

/**
 * The alert topic's subscriber (SNS → Lambda): writes each alert to the alert log once. A DynamoDB error
 * fails the invocation so that Lambda retries it and, after its retries, sends it to the on-failure queue.
 */
export function createAlertLogSubscriber(options: AlertLogSubscriberOptions) {
  const logger = options.logger ?? new Logger({ serviceName: "alertLog" });
  return async (event: SNSEvent): Promise<AlertLogResult> => {
    let logged = 0;
    let repeats = 0;
    let invalid = 0;
    for (const record of event.Records) {
      const alert = parseAlert(record.Sns.Message);
      if (!alert.success) {
        invalid++;
        logger.error("alert topic message is not an alert; dropped", {
          messageId: record.Sns.MessageId,
          reason: alert.reason,
        });
        continue;
      }
      const result = await logAlert(options.tableName, alert.data, options.dynamodb);
      if (result.logged) logged++;
      else repeats++;
    }
    return { logged, repeats, invalid };
  };
}

function parseAlert(message: string) {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { success: false, reason: "not JSON" } as const;
  }
  const parsed = loggedAlertSchema.safeParse(json);
  return parsed.success
    ? ({ success: true, data: parsed.data } as const)
    : ({ success: false, reason: parsed.error.issues.map((issue) => issue.message).join("; ") } as const);
}
