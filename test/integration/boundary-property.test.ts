import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultEngineClients } from "../../functions/shared/engine/clients";
import { decodeKafkaEvent } from "../../functions/shared/engine/decode";
import { engineOptionsFromEnv } from "../../functions/shared/engine/handler";
import { processBatch } from "../../functions/shared/engine/process-batch";
import type { EngineOptions } from "../../functions/shared/engine/types";
import { templateFunction } from "../../local/function-env";
import { drainQueue } from "../support/alert-inbox";
import { CORPUS_TIME, type EventRecordSpec, mskEventOf } from "../support/boundary-corpus";
import { SHOP_CONSUMERS } from "../support/shop-consumers";
import { createTestStack, stackTemplate } from "../support/stack";
import { CONSUMER_CONFIGS } from "../support/stack-handlers";

// Any code point, surrogate halves and noncharacters included, and any byte: rejected messages in format 2
// carry what SQS refuses as base64, and invalid UTF-8 is rejected, never repaired.
const anyChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
);
const anyByte = fc.integer({ min: 0, max: 0xff });
const text = (maxLength: number) => fc.string({ unit: anyChar, maxLength });

/** A record value: JSON of any shape, text, bytes, a tombstone, or the consumer's own valid value. */
const value = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .json({ stringUnit: anyChar })
      .map((json) => ({ kind: "random", bytes: Buffer.from(json, "utf8") })),
  },
  { weight: 3, arbitrary: text(60).map((t) => ({ kind: "random", bytes: Buffer.from(t, "utf8") })) },
  {
    weight: 2,
    arbitrary: fc
      .array(anyByte, { maxLength: 60 })
      .map((bytes) => ({ kind: "random", bytes: Buffer.from(bytes) })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "null", bytes: null }) },
  { weight: 3, arbitrary: fc.constant({ kind: "valid", bytes: null }) },
);
const record = fc.record({
  value,
  key: fc.option(
    fc.oneof(
      text(20).map((t) => Buffer.from(t, "utf8")),
      fc.array(anyByte, { maxLength: 20 }).map((bytes) => Buffer.from(bytes)),
    ),
    { nil: null },
  ),
  header: fc.option(text(20), { nil: undefined }),
});
const batch = fc.record({
  consumer: fc.constantFrom(...SHOP_CONSUMERS),
  records: fc.array(record, { minLength: 1, maxLength: 8 }),
});

describe("any record value through processBatch", () => {
  let options: ReadonlyMap<string, EngineOptions<unknown>>;
  beforeAll(async () => {
    const stack = await createTestStack("boundary-property");
    options = new Map(
      SHOP_CONSUMERS.map((shop) => {
        const env = { ...templateFunction(stackTemplate(), stack, shop.entry).environment };
        return [shop.name, engineOptionsFromEnv(CONSUMER_CONFIGS[shop.entry]!(env), env)];
      }),
    );
  });

  it("never throws, and every record ends applied or rejected with its coordinates", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(batch, async ({ consumer: shop, records }) => {
        run++;
        const engine = options.get(shop.name)!;
        const specs: EventRecordSpec[] = records.map(({ value, key, header }, i) => {
          const offset = run * 100 + i;
          const valid = Buffer.from(JSON.stringify(shop.valid(CORPUS_TIME, offset)), "utf8");
          return {
            eventKey: `${shop.topic}-0`,
            topic: shop.topic,
            partition: 0,
            offset,
            key: value.kind === "valid" ? Buffer.from(`k-${offset}`) : key,
            value: value.kind === "valid" ? valid : value.bytes,
            headers:
              header === undefined || value.kind === "valid"
                ? {}
                : ({ note: header } as Record<string, string>),
          };
        });

        const outcome = await processBatch(shop.consumer, engine, decodeKafkaEvent(mskEventOf(specs)), {
          clients: defaultEngineClients(),
          deadline: Date.now() + 60_000,
        });

        expect(outcome.batchItemFailures).toEqual([]);
        expect(outcome.keyErrors).toEqual([]);
        const rejected = outcome.rejected.map((r) => r.offset).sort((a, b) => a - b);
        const queued = (await drainQueue<{ offset: number }>(engine.rejectedQueueUrl)).map((m) => m.offset);
        expect([...new Set(queued)].sort((a, b) => a - b)).toEqual(rejected);
        for (const r of outcome.rejected)
          expect(r).toMatchObject({ topic: shop.topic, partition: 0, reason: expect.any(String) });
        // Everything not rejected was applied (no key failed); the consumer's own valid values always are.
        const validOffsets = specs.filter((_, i) => records[i]!.value.kind === "valid").map((s) => s.offset);
        expect(validOffsets.filter((offset) => rejected.includes(offset))).toEqual([]);
        expect(outcome.stats.records).toBe(specs.length);
      }),
      { numRuns: 40 },
    );
  });
});
