import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createEngineClients, emptyStats } from "../../../functions/shared/engine/clients";
import { dynamoDbRefusal, isTransient } from "../../../functions/shared/engine/errors";
import { fitted, MAX_MESSAGE_BYTES, sendRejected } from "../../../functions/shared/engine/rejected";
import { rejectedRecord } from "../../../functions/shared/engine/rejected-record";
import type { StoreContext } from "../../../functions/shared/engine/state-store";
import type { RejectedRecord } from "../../../functions/shared/engine/types";

const noMask = (text: string) => text;
const at = new Date("2026-12-02T13:00:00.000Z");
const delivered = (offset: number, value: string, key: string | null = "k") => ({
  topic: "theworldshop.tally",
  partition: 0,
  offset,
  key,
  rawValue: value,
  timestamp: 1764680000000,
  headers: { traceparent: "00-abc-01" },
});

function context(): { ctx: StoreContext; sqs: ReturnType<typeof mockClient> } {
  const clients = createEngineClients({ sqs: { region: "us-east-1" } });
  const ctx: StoreContext = {
    clients,
    tableName: "t",
    sideTables: {},
    budget: { deadline: Date.now() + 10_000 },
    stats: emptyStats(),
  };
  return { ctx, sqs: mockClient(clients.sqs) };
}

const bodies = (entries: readonly SendMessageBatchRequestEntry[] = []) =>
  entries.map((entry) => JSON.parse(entry.MessageBody!) as RejectedRecord);

describe("the rejected-records message, format 2", () => {
  it("carries text SQS accepts as utf8, with its byte length and SHA-256", () => {
    const message = rejectedRecord("tally", delivered(42, '{"a":"é"}'), "schema: a", noMask, at);

    expect(message).toEqual({
      format: 2,
      consumer: "tally",
      topic: "theworldshop.tally",
      partition: 0,
      offset: 42,
      timestamp: 1764680000000,
      headers: { traceparent: "00-abc-01" },
      reason: "schema: a",
      rejectedAt: "2026-12-02T13:00:00.000Z",
      key: {
        encoding: "utf8",
        data: "k",
        bytes: 1,
        sha256: "8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a",
        truncated: false,
      },
      value: expect.objectContaining({ encoding: "utf8", data: '{"a":"é"}', bytes: 10, truncated: false }),
      masked: false,
    });
  });

  it("escapes characters SQS refuses in the reason and base64s a header holding them", () => {
    const record = { ...delivered(1, "{}"), headers: { note: "a\uFFFFb" } };

    const message = rejectedRecord("tally", record, "bad JSON near '\u0000'", noMask, at);

    expect(message.reason).toBe("bad JSON near '\\u{0}'");
    expect(message.headers).toEqual({ note: Buffer.from("a\uFFFFb").toString("base64") });
    expect(message.binaryHeaders).toEqual(["note"]);
  });

  it("cuts a value by bytes, between characters, so that the message fits SQS's limit", () => {
    const value = "é".repeat(200_000);
    const message = fitted(rejectedRecord("tally", delivered(1, value), "too big", noMask, at));

    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(message.value).toMatchObject({ encoding: "utf8", bytes: 400_000, truncated: true });
    expect(value.startsWith(message.value!.data)).toBe(true);
    expect(message.key).toMatchObject({ data: "k", truncated: false });
  });
});

describe("sending rejected records", () => {
  it("puts records in calls of at most 10 messages and 256 KiB", async () => {
    const { ctx, sqs } = context();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const small = Array.from({ length: 12 }, (_, i) =>
      rejectedRecord("tally", delivered(i, "{}"), "r", noMask, at),
    );
    const large = Array.from({ length: 3 }, (_, i) =>
      rejectedRecord("tally", delivered(20 + i, "x".repeat(100_000)), "r", noMask, at),
    );

    await sendRejected(ctx, "q", [...small, ...large]);

    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => bodies(c.args[0].input.Entries));
    expect(calls.map((call) => call.map((m) => m.offset))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 20, 21],
      [22],
    ]);
  });

  it("resends an entry SQS failed on its side, and sends reduced an entry it refused for its contents", async () => {
    const { ctx, sqs } = context();
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: "r0", MessageId: "m0", MD5OfMessageBody: "" }],
        Failed: [
          { Id: "r1", Code: "InternalError", SenderFault: false },
          { Id: "r2", Code: "InvalidMessageContents", SenderFault: true },
        ],
      })
      .resolves({ Successful: [], Failed: [] });
    const records = [0, 1, 2].map((i) => rejectedRecord("tally", delivered(i, "{}"), "r", noMask, at));

    await sendRejected(ctx, "q", records);

    const [, retry] = sqs.commandCalls(SendMessageBatchCommand).map((c) => bodies(c.args[0].input.Entries));
    expect(retry?.map((m) => m.offset)).toEqual([1, 2]);
    expect(retry?.[0]).toEqual(records[1]);
    expect(retry?.[1]).toMatchObject({
      offset: 2,
      headers: {},
      reason: "r (SQS refused the full message with InvalidMessageContents: sent reduced, headers left out)",
      value: { encoding: "base64", data: Buffer.from("{}").toString("base64") },
    });
  });

  it("fails when SQS refuses even the reduced message, rather than drop the record", async () => {
    const { ctx, sqs } = context();
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: "r0", Code: "InvalidMessageContents", SenderFault: true }],
    });

    await expect(
      sendRejected(ctx, "q", [rejectedRecord("tally", delivered(0, "{}"), "r", noMask, at)]),
    ).rejects.toThrow(/refused even the reduced message/);
  });
});

describe("permanent and transient AWS errors", () => {
  const $metadata = { httpStatusCode: 400 };
  const refusal = new DynamoDBServiceException({
    name: "ValidationException",
    $fault: "client",
    message: "Item size has exceeded the maximum allowed size",
    $metadata,
  });

  it("reads DynamoDB's item-size refusal as permanent, not transient", () => {
    expect(dynamoDbRefusal(refusal)).toBe("Item size has exceeded the maximum allowed size");
    expect(isTransient(refusal)).toBe(false);
  });

  it("reads a transaction cancelled for a validation error as permanent", () => {
    const cancelled = Object.assign(
      new DynamoDBServiceException({ name: "TransactionCanceledException", $fault: "client", $metadata }),
      {
        CancellationReasons: [
          { Code: "None" },
          { Code: "ValidationError", Message: "Item size has exceeded" },
        ],
      },
    );

    expect(dynamoDbRefusal(cancelled)).toBe("Item size has exceeded");
  });

  it("makes one attempt per SDK call: the engine's withRetry is the only retry layer", async () => {
    const clients = createEngineClients({ dynamodb: { region: "us-east-1" } });

    expect(await clients.dynamodb.config.maxAttempts()).toBe(1);
    expect(await clients.sqs.config.maxAttempts()).toBe(1);
    expect(await clients.sns.config.maxAttempts()).toBe(1);
  });
});
