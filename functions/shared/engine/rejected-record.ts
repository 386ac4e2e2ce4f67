import { createHash } from "node:crypto";
import type { DeliveredRecord } from "./decode";
import type { RejectedPart, RejectedRecord } from "./types";

/** Masks card numbers in text; returns the text unchanged when it holds none. */
export type Mask = (text: string) => string;

/**
 * A character SQS refuses in a message. AWS allows #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD |
 * #x10000–#x10FFFF; the emulator (fauxqs) also refuses everything above U+FFFF, so those are treated as
 * refused too: AWS and the emulator then accept exactly the same messages.
 */
const SQS_REFUSED = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/u;

export const isSqsSafe = (text: string) => !SQS_REFUSED.test(text);

/** `text` with every character SQS refuses written as `\u{…}`: for reasons, topics and header names. */
export const escapeForSqs = (text: string) =>
  text.replace(new RegExp(SQS_REFUSED.source, "gu"), (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * A key or value as a rejected message carries it, with whether a card number was masked in it. `text` is
 * the strict UTF-8 decoding of `bytes`, undefined when they are not valid UTF-8: then the digits are masked
 * byte for byte (latin1 maps each byte to one character), so a card number in undecodable bytes is masked too.
 */
export function rejectedPart(
  bytes: Uint8Array,
  text: string | undefined,
  mask: Mask,
): { part: RejectedPart; masked: boolean } {
  if (text !== undefined) {
    const maskedText = mask(text);
    const masked = maskedText !== text;
    const stored = masked ? Buffer.from(maskedText, "utf8") : bytes;
    const part: RejectedPart = isSqsSafe(maskedText)
      ? { encoding: "utf8", data: maskedText, bytes: bytes.length, sha256: sha256(stored), truncated: false }
      : {
          encoding: "base64",
          data: b64(stored),
          bytes: bytes.length,
          sha256: sha256(stored),
          truncated: false,
        };
    return { part, masked };
  }
  const latin1 = Buffer.from(bytes).toString("latin1");
  const maskedLatin1 = mask(latin1);
  const masked = maskedLatin1 !== latin1;
  const stored = masked ? Buffer.from(maskedLatin1, "latin1") : bytes;
  return {
    part: {
      encoding: "base64",
      data: b64(stored),
      bytes: bytes.length,
      sha256: sha256(stored),
      truncated: false,
    },
    masked,
  };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** The rejected-records message (format 2) of `record`, untruncated; `rejected.ts` cuts it to fit SQS. */
export function rejectedRecord(
  consumer: string,
  record: DeliveredRecord,
  reason: string,
  mask: Mask,
  rejectedAt: Date,
): RejectedRecord {
  const keyBytes = record.keyBytes ?? (record.key === null ? null : Buffer.from(record.key, "utf8"));
  const valueBytes =
    record.valueBytes ?? (record.rawValue === null ? null : Buffer.from(record.rawValue, "utf8"));
  const key = keyBytes === null ? null : rejectedPart(keyBytes, record.key ?? undefined, mask);
  const value = valueBytes === null ? null : rejectedPart(valueBytes, record.rawValue ?? undefined, mask);
  const headers: Record<string, string> = {};
  const binaryHeaders = new Set(record.binaryHeaders ?? []);
  let headersMasked = false;
  for (const [name, raw] of Object.entries(record.headers)) {
    // A name is not masked in place (two masked names could collide): such a header is left out.
    if (mask(name) !== name) {
      headersMasked = true;
      continue;
    }
    const isBinary = binaryHeaders.has(name);
    const text = isBinary ? Buffer.from(raw, "base64").toString("latin1") : raw;
    const masked = mask(text);
    headersMasked ||= masked !== text;
    const safeName = escapeForSqs(name);
    if (isBinary) headers[safeName] = Buffer.from(masked, "latin1").toString("base64");
    else if (isSqsSafe(masked)) headers[safeName] = masked;
    else {
      headers[safeName] = Buffer.from(masked, "utf8").toString("base64");
      binaryHeaders.add(name);
    }
  }
  return {
    format: 2,
    consumer,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    headers,
    ...(binaryHeaders.size > 0 ? { binaryHeaders: [...binaryHeaders].map(escapeForSqs) } : {}),
    reason: escapeForSqs(mask(reason)),
    rejectedAt: rejectedAt.toISOString(),
    key: key?.part ?? null,
    value: value?.part ?? null,
    masked: Boolean(key?.masked || value?.masked || headersMasked),
  };
}
