import { DynamoDBClient, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createAvailabilityApi } from "../../../functions/availability-api/api";
import { functionUrlEvent } from "../../support/function-url";

const TableName = "availability";
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const dynamodb = mockClient(client);
const silent = { error: () => undefined } as unknown as NonNullable<
  Parameters<typeof createAvailabilityApi>[0]["logger"]
>;
const api = createAvailabilityApi({ client, tableName: TableName, logger: silent });
const mug = {
  quantity: 0,
  status: "OUT_OF_STOCK",
  asOf: "2026-12-01T23:03:12Z",
  staleIgnored: 3,
  recentSales: [],
};

const body = (response: Awaited<ReturnType<typeof api>>) => JSON.parse(String(response.body));

describe("availability API routing and validation", () => {
  beforeEach(() => {
    dynamodb.reset();
    dynamodb.on(GetCommand).resolves({});
    dynamodb.on(GetCommand, { Key: { pk: "P-123" } }).resolves({ Item: { pk: "P-123", state: mug } });
    dynamodb.on(BatchGetCommand).resolves({ Responses: { [TableName]: [{ pk: "P-123", state: mug }] } });
  });

  it("answers one product with its public availability only, as JSON", async () => {
    const response = await api(functionUrlEvent({ url: "/availability/P-123" }));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ "content-type": "application/json" });
    expect(body(response)).toEqual({
      productId: "P-123",
      quantity: 0,
      status: "OUT_OF_STOCK",
      asOf: mug.asOf,
    });
  });

  it("rejects a bad product id with 400 without reading the table", async () => {
    for (const url of [
      "/availability/-P",
      "/availability/P%20123",
      "/availability/%E0%A4%A",
      `/availability/${"a".repeat(65)}`,
    ]) {
      expect((await api(functionUrlEvent({ url }))).statusCode).toBe(400);
    }
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it("answers a batch with the known products and lists the unknown ones", async () => {
    const response = await api(functionUrlEvent({ url: "/availability?productIds=P-123,P-404,P-123" }));

    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({
      products: [{ productId: "P-123", quantity: 0, status: "OUT_OF_STOCK", asOf: mug.asOf }],
      unknown: ["P-404"],
    });
    expect(dynamodb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.[TableName]?.Keys).toEqual([
      { pk: "P-123" },
      { pk: "P-404" },
    ]);
  });

  it.each([
    ["no ids", { url: "/availability?productIds=" }],
    ["no productIds parameter", { url: "/availability" }],
    ["a bad id among good ones", { url: "/availability?productIds=P-1,P/2" }],
    [
      "101 ids",
      { url: `/availability?productIds=${Array.from({ length: 101 }, (_, i) => `P-${i}`).join(",")}` },
    ],
    ["a body that is not a list of ids", { url: "/availability", json: { productIds: "P-1" } }],
    [
      "101 ids in a body",
      { url: "/availability", json: { productIds: Array.from({ length: 101 }, (_, i) => `P-${i}`) } },
    ],
  ])("rejects a batch with %s with 400", async (_, request) => {
    expect((await api(functionUrlEvent(request))).statusCode).toBe(400);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it("accepts exactly 100 ids", async () => {
    const productIds = Array.from({ length: 100 }, (_, i) => `P-${i}`);
    expect((await api(functionUrlEvent({ url: "/availability", json: { productIds } }))).statusCode).toBe(
      200,
    );
  });

  it("answers 404 for another path and 405 for another method", async () => {
    expect((await api(functionUrlEvent({ url: "/stock/P-123" }))).statusCode).toBe(404);
    const deleted = await api(functionUrlEvent({ method: "DELETE", url: "/availability/P-123" }));
    expect(deleted.statusCode).toBe(405);
    expect(deleted.headers).toMatchObject({ allow: "GET" });
  });

  it("answers 500 without DynamoDB's details when the table refuses the read", async () => {
    dynamodb
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} }));

    const response = await api(functionUrlEvent({ url: "/availability/P-123" }));

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("slow down");
  });
});
