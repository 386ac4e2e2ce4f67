import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDecisionsApi } from "./api";

/** Thrown at cold start when the function's environment lacks a setting the CDK stack provides. */
export class DecisionsApiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecisionsApiConfigError";
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new DecisionsApiConfigError(`environment variable ${name} is not set`);
  return value;
}

const tableName = requiredEnv("DECISIONS_TABLE_NAME");
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = createDecisionsApi({ dynamodb, tableName });
