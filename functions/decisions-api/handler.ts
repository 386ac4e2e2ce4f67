import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { requiredEnv } from "../shared/env";
import { traced } from "../shared/tracing";
import { createDecisionsApi } from "./api";

const tableName = requiredEnv("DECISIONS_TABLE_NAME");
const dynamodb = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})));

/** The decisions API's Function URL handler. */
export const handler = createDecisionsApi({ dynamodb, tableName });
