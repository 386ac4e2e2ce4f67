import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { requiredEnv } from "../shared/env";
import { traced } from "../shared/tracing";
import { ordersSettingsFromEnv } from "./config";
import { createOrdersPerMinuteApi } from "./orders-per-minute-api";

// One attempt per call: the state reader retries (the engine's withRetry), so retries do not stack.
const dynamodb = DynamoDBDocumentClient.from(traced(new DynamoDBClient({ maxAttempts: 1 })));

/** The dashboard's read API (Function URL, AWS_IAM auth): `GET /orders-per-minute?minutes=N`. */
export const handler = createOrdersPerMinuteApi({
  tableName: requiredEnv("STATE_TABLE_NAME"),
  partitions: ordersSettingsFromEnv().partitions,
  dynamodb,
});
