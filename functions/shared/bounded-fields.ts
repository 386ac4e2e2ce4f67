import * as z from "zod";

/**
 * Field schemas every consumer's value schema builds on: bounded in UTF-8 bytes, the unit DynamoDB's 400 KB
 * item limit counts, so that no record (and no state accumulating its ids) can grow an item past it.
 */

/** An id field: 1 to `maxBytes` bytes of UTF-8 (128 unless a consumer keeps many of them). */
export function boundedId(maxBytes = 128) {
  return boundedText(maxBytes);
}

/**
 * A free-text field: 1 to `maxBytes` bytes of UTF-8, well-formed. A lone surrogate (`"\ud800"` in JSON) has no
 * UTF-8 form: DynamoDB would store it as U+FFFD and two ids that differ only there would become one.
 */
export function boundedText(maxBytes: number) {
  return (
    z
      .string()
      .min(1)
      // With the u flag a surrogate pair is one code point: only a lone surrogate matches.
      .refine(
        (text) => !/[\uD800-\uDFFF]/u.test(text),
        "must be well-formed Unicode (it holds a lone surrogate)",
      )
      .refine(
        (text) => Buffer.byteLength(text, "utf8") <= maxBytes,
        `must be at most ${maxBytes} bytes of UTF-8`,
      )
  );
}

/**
 * The largest amount one order or payment may carry, in minor units (100 million in major units): a minute
 * shard's revenue stays an exact integer (below 2^53) up to 900,000 such orders in one minute and partition.
 */
export const MAX_AMOUNT_MINOR_UNITS = 10 ** 10;

/** Money in minor units (cents), so that no float rounding ever touches an amount or a sum of them. */
export const amountSchema = z.object({
  value: z.number().int().nonnegative().max(MAX_AMOUNT_MINOR_UNITS),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be a 3-letter ISO 4217 code"),
});

/** An ISO-8601 UTC instant to the nanosecond: "2026-11-20T23:03:00.123456789Z". */
const MAX_EVENT_TIME_CHARS = 30;

/** An ISO-8601 UTC instant (no offset), at most to the nanosecond, that JavaScript parses to a real instant. */
export const eventTimeSchema = z.iso
  .datetime({ message: "must be an ISO-8601 UTC time" })
  .max(MAX_EVENT_TIME_CHARS)
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: "not a real instant" });
