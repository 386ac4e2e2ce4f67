import { requiredEnv } from "../shared/env";
import { ALERT_LOG_TABLE_ENV } from "./alert-log";
import { createAlertLogSubscriber } from "./subscriber";

/** Subscribed to the alert topic: keeps every alert for the ops dashboard's feed. */
export const handler = createAlertLogSubscriber({ tableName: requiredEnv(ALERT_LOG_TABLE_ENV) });
