import { createHash } from "node:crypto";
import * as z from "zod";

/**
 * The rejected-record message, format 2: the SQS body the engine sends per rejected record, carrying all a
 * redrive needs to rebuild the Kafka record (the contract of the engine's writer and the ops CLI's reader).
 */
const rejectedPart = z.object({
  encoding: z.enum(["utf8", "base64"]),
  data: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  truncated: z.boolean(),
});

export const rejectedMessageSchema = z.object({
  format: z.literal(2),
  consumer: z.string().min(1),
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  timestamp: z.number().int(),
  headers: z.record(z.string(), z.string()),
  /** Headers whose value is base64 of their bytes (not UTF-8, or characters SQS refuses). */
  binaryHeaders: z.array(z.string()).optional(),
  reason: z.string(),
  rejectedAt: z.string(),
  key: rejectedPart.nullable(),
  value: rejectedPart.nullable(),
  masked: z.boolean(),
});

export type RejectedMessage = z.infer<typeof rejectedMessageSchema>;
export type RejectedPart = z.infer<typeof rejectedPart>;

/** Thrown for an SQS body that is no rejected-record message of a format this code reads. */
export class RejectedMessageFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RejectedMessageFormatError";
  }
}

/** Parses an SQS body; format 1 (before the redrive existed) lacks the timestamp and headers a record needs. */
export function parseRejectedMessage(body: string): RejectedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new RejectedMessageFormatError("not JSON", { cause: error });
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== 2)
    throw new RejectedMessageFormatError(
      `format ${format ?? 1}: written before format 2, it lacks the timestamp and headers to rebuild the record`,
    );
  const parsed = rejectedMessageSchema.safeParse(json);
  if (!parsed.success)
    throw new RejectedMessageFormatError(
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  return parsed.data;
}

/** The original bytes of a key or value, when the message holds them whole and unmasked. */
export function originalBytes(part: RejectedPart): Buffer {
  return Buffer.from(part.data, part.encoding === "utf8" ? "utf8" : "base64");
}

/** Why the message's record can never be re-applied (masked, cut, bytes not the original), or undefined. */
export function unredrivableReason(message: RejectedMessage): string | undefined {
  if (message.masked) return "masked: a card number was masked in it, the original is gone";
  for (const [name, part] of [
    ["key", message.key],
    ["value", message.value],
  ] as const) {
    if (!part) continue;
    if (part.truncated) return `truncated: its ${name} was cut to fit the queue (${part.bytes} bytes)`;
    const digest = createHash("sha256").update(originalBytes(part)).digest("hex");
    if (digest !== part.sha256) return `its ${name} is not the original (sha256 differs)`;
  }
  return undefined;
}

/** The part of a format-2 message for raw bytes: UTF-8 text when it is, else base64. */
export function rejectedPartOf(bytes: Buffer | null, maxBytes = 200 * 1024): RejectedPart | null {
  if (bytes === null) return null;
  const text = bytes.toString("utf8");
  const utf8 = Buffer.from(text, "utf8").equals(bytes);
  const truncated = bytes.length > maxBytes;
  const kept = truncated ? bytes.subarray(0, maxBytes) : bytes;
  return {
    encoding: utf8 && !truncated ? "utf8" : "base64",
    data: utf8 && !truncated ? text : kept.toString("base64"),
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    truncated,
  };
}
