import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { createDecisionsApi, type DecisionsApi } from "../../../functions/decisions-api/api";
import { payments } from "../../unit/card-velocity/fold";
import { cardVelocityStack, fraudSignalRecord, functionEnvironment, functionUrlEvent } from "./stack";

describe("the decisions API the payment service reads, against the table the consumer writes", () => {
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  let api: DecisionsApi;

  beforeAll(async () => {
    const cardVelocity = await cardVelocityStack("decisions-api");
    const { DECISIONS_TABLE_NAME } = functionEnvironment(
      cardVelocity.stack,
      "functions/decisions-api/handler.ts",
    );
    api = createDecisionsApi({ dynamodb, tableName: DECISIONS_TABLE_NAME! });
    // Six payments within 60 s: the consumer flags the 6th in the table the API reads.
    await cardVelocity.deliver(
      payments(0, 1, 2, 3, 4, 5).map((value, offset) => fraudSignalRecord(0, offset, value)),
    );
  });

  it("returns the FLAGGED decision of a flagged transaction", async () => {
    const response = await api(functionUrlEvent("GET", "/decisions/tx-6"));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      "content-type": "application/json",
      "cache-control": "no-store",
    });
    expect(JSON.parse(response.body!)).toEqual({
      transactionId: "tx-6",
      decision: "FLAGGED",
      count: 6,
      cardFingerprint: "fp_9f86d081884c7d65",
      eventTime: "2026-12-01T12:00:05.000Z",
    });
  });

  it("returns decision NONE for a transaction that was not flagged", async () => {
    const response = await api(functionUrlEvent("GET", "/decisions/tx-5"));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual({ transactionId: "tx-5", decision: "NONE" });
  });

  it("answers 400 for a bad transaction id, a card number included", async () => {
    for (const path of [
      "/decisions/%20",
      "/decisions/tx%2F6",
      "/decisions/%E0%A4%A",
      "/decisions/4111111111111111",
    ]) {
      const response = await api(functionUrlEvent("GET", path));

      expect(response.statusCode, path).toBe(400);
      expect(response.body).not.toContain("4111111111111111");
    }
  });

  it("answers 404 off the route and 405 for a method other than GET", async () => {
    expect((await api(functionUrlEvent("GET", "/decisions"))).statusCode).toBe(404);
    expect((await api(functionUrlEvent("GET", "/decisions/tx-6/extra"))).statusCode).toBe(404);
    const post = await api(functionUrlEvent("POST", "/decisions/tx-6"));
    expect(post.statusCode).toBe(405);
    expect(post.headers).toMatchObject({ allow: "GET" });
  });

  it("answers 503 when the decisions table cannot be read", async () => {
    const broken = createDecisionsApi({ dynamodb, tableName: "no-such-decisions-table" });

    expect((await broken(functionUrlEvent("GET", "/decisions/tx-6"))).statusCode).toBe(503);
  });
});
