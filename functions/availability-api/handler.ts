import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { requiredEnv } from "../shared/env";
import { traced } from "../shared/tracing";
import { AVAILABILITY_TABLE_ENV, createAvailabilityApi } from "./api";

const tableName = requiredEnv(AVAILABILITY_TABLE_ENV);
// One attempt per call: the state reader retries (the engine's withRetry), so retries do not stack.
const client = DynamoDBDocumentClient.from(traced(new DynamoDBClient({ maxAttempts: 1 })));
const logger = new Logger({ serviceName: "availability-api" });

/** The storefront's `GET /availability/{productId}` and batch reads, behind an IAM-authenticated Function URL. */
export const handler = createAvailabilityApi({ client, tableName, logger });
