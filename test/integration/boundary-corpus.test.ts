import { createHash } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sellerPartKey } from "../../functions/orders/keys";
import { resolveDigitEscapes } from "../../functions/shared/engine/card-screen";
import { createKafkaHandler, engineOptionsFromEnv } from "../../functions/shared/engine/handler";
import type { RejectedPart, RejectedRecord } from "../../functions/shared/engine/types";
import { templateFunction } from "../../local/function-env";
import type { LocalStackResources } from "../../local/resources";
import { drainQueue, subscribeInbox } from "../support/alert-inbox";
import {
  CORPUS,
  CORPUS_CARDS,
  CORPUS_TIME,
  corpusRecord,
  type EventRecordSpec,
  expectedOutcome,
  mskEventOf,
} from "../support/boundary-corpus";
import { SHOP_CONSUMERS, type ShopConsumer } from "../support/shop-consumers";
import { createTestStack, stackTemplate } from "../support/stack";
import { CONSUMER_CONFIGS } from "../support/stack-handlers";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

/** Whether `text` holds one of the corpus's card numbers in any spelling: escapes resolved, separators dropped. */
const leaksCard = (text: string) => {
  const digits = resolveDigitEscapes(text).replace(/(?<=\d)[ .-](?=\d)/g, "");
  return CORPUS_CARDS.some((card) => digits.includes(card));
};

/** The bytes a rejected message's key or value carries, base64 decoded. */
const partBytes = (part: RejectedPart) =>
  Buffer.from(part.data, part.encoding === "base64" ? "base64" : "utf8");

/** A rejected message as text to screen: its JSON, and every base64 part and header decoded (as bytes and as UTF-8). */
function rejectedTexts(message: RejectedRecord): string[] {
  const decoded = [message.key, message.value]
    .filter((part): part is RejectedPart => part !== null)
    .map(partBytes);
  for (const name of message.binaryHeaders ?? [])
    decoded.push(Buffer.from(message.headers[name] ?? "", "base64"));
  return [
    JSON.stringify(message),
    ...decoded.flatMap((bytes) => [bytes.toString("latin1"), bytes.toString("utf8")]),
  ];
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A healthy record after each corpus record: its own state key, so its effect can be read back. */
const HEALTHY: Readonly<Record<string, (i: number) => { pk: string; changes: Record<string, unknown> }>> = {
  inventory: (i) => ({ pk: `H-${i}`, changes: { productId: `H-${i}` } }),
  cardVelocity: (i) => ({ pk: `fp_healthy_${i}`, changes: { cardFingerprint: `fp_healthy_${i}` } }),
  // Every record is on partition 0: its seller's part of partition 0.
  orders: (i) => ({ pk: sellerPartKey(`HS-${i}`, 0), changes: { sellerId: `HS-${i}` } }),
  sessions: (i) => ({ pk: `HU-${i}`, changes: { userId: `HU-${i}` } }),
};

interface Run {
  readonly records: readonly EventRecordSpec[];
  readonly response: unknown;
  readonly rejected: readonly RejectedRecord[];
  readonly alerts: readonly unknown[];
  readonly items: readonly Record<string, unknown>[];
  readonly healthyKeys: readonly string[];
}

describe.each(SHOP_CONSUMERS)("the adversarial corpus against $name", (shop: ShopConsumer) => {
  const written: string[] = [];
  let run: Run;

  beforeAll(async () => {
    const stack = await createTestStack(`corpus-${shop.name.toLowerCase()}`);
    const env = { ...templateFunction(stackTemplate(), stack, shop.entry).environment };
    const inbox = await subscribeInbox(env.ALERT_TOPIC_ARN!);
    const logger = new Logger({ serviceName: shop.name, logLevel: "DEBUG" });
    const handler = createKafkaHandler(
      shop.consumer,
      () => engineOptionsFromEnv(CONSUMER_CONFIGS[shop.entry]!(env), env),
      {
        logger,
      },
    );
    const records: EventRecordSpec[] = [];
    const healthyKeys: string[] = [];
    CORPUS.forEach((entry, i) => {
      records.push(corpusRecord(entry, shop, 2 * i));
      const healthy = HEALTHY[shop.name]!(i);
      healthyKeys.push(healthy.pk);
      const value = { ...shop.valid(CORPUS_TIME, 2 * i + 1), ...healthy.changes };
      records.push({
        eventKey: `${shop.topic}-0`,
        topic: shop.topic,
        partition: 0,
        offset: 2 * i + 1,
        key: Buffer.from(`h-${i}`),
        value: Buffer.from(JSON.stringify(value)),
        headers: {},
      });
    });

    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(process.stderr, "write").mockImplementation(capture);
    let response: unknown;
    try {
      response = await handler(mskEventOf(records), context);
    } catch (error) {
      response = { threw: String(error) };
    } finally {
      vi.restoreAllMocks();
    }
    run = {
      records,
      response,
      rejected: await drainQueue<RejectedRecord>(env.REJECTED_QUEUE_URL!),
      alerts: await inbox.drain(),
      items: await scanTables(stack),
      healthyKeys,
    };
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it("never throws and reports no failure: every permanent problem rejects its own record", () => {
    expect(run.response).toEqual({ batchItemFailures: [] });
  });

  it("applies every healthy record that follows a corpus record", () => {
    const keys = new Set(run.items.map((item) => String(item.pk)));
    expect(run.healthyKeys.filter((key) => !keys.has(key))).toEqual([]);
  });

  it("rejects each corpus record that must be rejected, with its coordinates and the reason, and only those", () => {
    const byOffset = new Map(run.rejected.map((message) => [Number(message.offset), message]));
    expect(byOffset.size).toBe(run.rejected.length);
    for (const message of run.rejected) {
      expect(Number(message.offset) % 2, `healthy record ${message.offset} rejected: ${message.reason}`).toBe(
        0,
      );
      expect(message).toMatchObject({ partition: 0, reason: expect.any(String) });
      expect(String(message.reason).length).toBeGreaterThan(0);
    }
    const actual = CORPUS.map((entry, i) => {
      const message = byOffset.get(2 * i);
      return {
        name: entry.name,
        outcome: message ? "rejected" : "applied",
        coordinates: message ? message.topic === run.records[2 * i]!.topic : null,
        reason: message && entry.reason ? String(message.reason).includes(entry.reason) : null,
      };
    });
    const expected = CORPUS.map((entry) => {
      const outcome = expectedOutcome(entry, shop.name);
      const rejected = outcome === "rejected";
      return {
        name: entry.name,
        outcome,
        coordinates: rejected ? true : null,
        reason: rejected && entry.reason ? true : null,
      };
    });
    expect(actual).toEqual(expected);
  });

  it("sends each rejected record in format 2 as the corpus says: encoding, truncation, masking", () => {
    const byOffset = new Map(run.rejected.map((message) => [message.offset, message]));
    const actual = CORPUS.flatMap((entry, i) =>
      entry.rejectedAs ? [{ name: entry.name, message: byOffset.get(2 * i) }] : [],
    );
    const expected = CORPUS.flatMap((entry) =>
      entry.rejectedAs
        ? [
            {
              name: entry.name,
              message: expect.objectContaining({ format: 2, ...matcherOf(entry.rejectedAs) }),
            },
          ]
        : [],
    );
    expect(actual).toEqual(expected);
  });

  it("carries every rejected key and value whole or as its prefix, with the length and SHA-256 of what it holds", () => {
    const problems: string[] = [];
    for (const message of run.rejected) {
      const sent = run.records[message.offset]!;
      for (const [name, part, original] of [
        ["key", message.key, sent.key],
        ["value", message.value, sent.value],
      ] as const) {
        const where = `offset ${message.offset} ${name}`;
        if (original === null) {
          if (part !== null) problems.push(`${where}: a part for nothing`);
          continue;
        }
        if (part === null) {
          problems.push(`${where}: missing`);
          continue;
        }
        const carried = partBytes(part);
        if (part.bytes !== original.length)
          problems.push(`${where}: ${part.bytes} bytes, not ${original.length}`);
        if (!part.truncated && sha256(carried) !== part.sha256)
          problems.push(`${where}: SHA-256 of another text`);
        if (part.truncated && carried.length >= original.length)
          problems.push(`${where}: truncated, yet whole`);
        // A masked part differs from the original by its card number only; an unmasked one is the original.
        if (!message.masked && !original.subarray(0, carried.length).equals(carried))
          problems.push(`${where}: not the original's bytes`);
        if (!message.masked && !part.truncated && part.sha256 !== sha256(original))
          problems.push(`${where}: SHA-256 not the original's`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("leaves no card number in any table item, alert, rejected message or log line", () => {
    const places = [
      ...run.items.map((item) => ["table item", JSON.stringify(item)]),
      ...run.alerts.map((alert) => ["alert", JSON.stringify(alert)]),
      ...run.rejected.flatMap((message) => rejectedTexts(message).map((text) => ["rejected message", text])),
      ...written.map((line) => ["log line", line]),
    ];
    expect(written.some((line) => line.includes('"message":"record rejected"'))).toBe(true);
    expect(
      places
        .filter(([, text]) => leaksCard(text!))
        .map(([place, text]) => `${place}: ${text!.slice(0, 200)}`),
    ).toEqual([]);
  });
});

/** `rejectedAs` of the corpus as a matcher: nested objects matched as subsets too. */
function matcherOf(spec: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(spec).map(([field, value]) => [
      field,
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? expect.objectContaining(value)
        : value,
    ]),
  );
}

/** Every item of every table of the stack copy. */
async function scanTables(stack: LocalStackResources): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const resource of stack.byLogicalId.values()) {
    if (!resource.type.startsWith("AWS::DynamoDB::")) continue;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: resource.ref, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return items;
}
