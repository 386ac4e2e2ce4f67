import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { EngineError, UnsentMessagesError } from "./errors";
import { withRetry } from "./retry";
import type { StoreContext } from "./state-store";
import type { RejectedPart, RejectedRecord } from "./types";

const SEND_BATCH_LIMIT = 10;
/**
 * Bytes per message and per SendMessageBatch call, attributes included. AWS allows 1 MiB for both since
 * 2025; 256 KiB is what a queue created before then (MaximumMessageSize 262,144) and LocalStack still
 * accept, so the same messages go through everywhere.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BATCH_BYTES = 256 * 1024;
/** When a message must be cut, the key keeps at least this much and the value the rest. */
const KEY_SHARE_BYTES = 16 * 1024;
/** A message SQS still refuses is sent again this small: key and value as base64, cut to this many bytes. */
const REDUCED_PART_BYTES = 4 * 1024;
const MAX_ATTRIBUTE_CHARS = 256;

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * Sends rejected records to the rejected-records queue in format 2, each cut to fit SQS's limit and the calls
 * sized by bytes (10 messages at most). An entry SQS fails on its own is retried when the fault is SQS's
 * (within the budget); one SQS refuses for its contents is sent again reduced (base64, cut), so one record
 * can never fail the batch. A record is never dropped silently: a redelivery may send it twice, each copy
 * with its coordinates.
 */
export async function sendRejected(
  ctx: StoreContext,
  queueUrl: string,
  rejected: readonly RejectedRecord[],
): Promise<void> {
  const entries = rejected.map((record, i) => entryOf(`r${i}`, fitted(record)));
  for (const batch of bySize(entries)) {
    let pending = batch;
    const reduced = new Set<string>();
    await withRetry(
      "SendMessageBatch",
      async (abortSignal) => {
        const response = await ctx.clients.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }),
          { abortSignal },
        );
        const byId = new Map(pending.map((entry) => [entry.Id!, entry]));
        const again: SendMessageBatchRequestEntry[] = [];
        for (const failure of response.Failed ?? []) {
          const entry = byId.get(failure.Id ?? "")!;
          if (!failure.SenderFault) {
            again.push(entry);
            continue;
          }
          if (reduced.has(entry.Id!)) {
            throw new EngineError(
              `rejected-records queue refused even the reduced message of a record: ${failure.Code} ${failure.Message ?? ""}`,
            );
          }
          reduced.add(entry.Id!);
          const record = JSON.parse(entry.MessageBody!) as RejectedRecord;
          again.push(entryOf(entry.Id!, reducedRecord(record, failure.Code ?? "refused")));
        }
        pending = again;
        if (pending.length > 0) throw new UnsentMessagesError(pending.length);
      },
      ctx.budget,
    );
  }
}

function entryOf(id: string, record: RejectedRecord): SendMessageBatchRequestEntry {
  return { Id: id, MessageBody: JSON.stringify(record), MessageAttributes: attributesOf(record) };
}

function attributesOf(record: RejectedRecord) {
  const attribute = (value: string) => ({ DataType: "String", StringValue: value });
  return {
    consumer: attribute(record.consumer),
    topic: attribute(record.topic),
    reason: attribute(Array.from(record.reason).slice(0, MAX_ATTRIBUTE_CHARS).join("")),
  };
}

/** A message's size as SQS counts it: the body plus each attribute's name, type and value. */
function messageBytes(entry: SendMessageBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? "", "utf8");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {}))
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? "") +
      Buffer.byteLength(value.StringValue ?? "");
  return bytes;
}

/** Entries grouped into calls of at most 10 messages and `MAX_BATCH_BYTES`. */
function bySize(entries: readonly SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = messageBytes(entry);
    if (current.length === SEND_BATCH_LIMIT || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** `record` with its key and value cut by bytes, when needed, so that its message fits `MAX_MESSAGE_BYTES`. */
export function fitted(record: RejectedRecord): RejectedRecord {
  const entry = entryOf("r", record);
  if (messageBytes(entry) <= MAX_MESSAGE_BYTES) return record;
  const empty = (part: RejectedPart | null) =>
    part === null ? null : { ...part, data: "", truncated: true };
  const frame = messageBytes(entryOf("r", { ...record, key: empty(record.key), value: empty(record.value) }));
  const room = MAX_MESSAGE_BYTES - frame;
  const keyBytes = record.key === null ? 0 : jsonBytes(record.key.data) - 2;
  const valueBytes = record.value === null ? 0 : jsonBytes(record.value.data) - 2;
  const keyRoom = Math.max(0, Math.min(keyBytes, Math.max(room - valueBytes, KEY_SHARE_BYTES)));
  const valueRoom = Math.max(0, room - keyRoom);
  return { ...record, key: cut(record.key, keyRoom), value: cut(record.value, valueRoom) };
}

/** `part` with its data cut to at most `room` bytes of JSON string content; unchanged when it fits. */
function cut(part: RejectedPart | null, room: number): RejectedPart | null {
  if (part === null || jsonBytes(part.data) - 2 <= room) return part;
  if (part.encoding === "base64")
    return { ...part, data: part.data.slice(0, Math.floor(room / 4) * 4), truncated: true };
  let budget = room;
  for (;;) {
    const data = utf8Prefix(part.data, budget);
    const over = jsonBytes(data) - 2 - room;
    if (over <= 0) return { ...part, data, truncated: true };
    budget -= over;
  }
}

/** The longest prefix of `text` whose UTF-8 has at most `bytes` bytes, cut between characters. */
function utf8Prefix(text: string, bytes: number): string {
  const encoded = Buffer.from(text, "utf8");
  if (encoded.length <= bytes) return text;
  let end = Math.max(0, bytes);
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString("utf8");
}

/** The last resort for a message SQS refused for its contents: everything as short base64, headers left out. */
function reducedRecord(record: RejectedRecord, code: string): RejectedRecord {
  const reduce = (part: RejectedPart | null): RejectedPart | null => {
    if (part === null) return null;
    const bytes =
      part.encoding === "base64" ? Buffer.from(part.data, "base64") : Buffer.from(part.data, "utf8");
    const kept = bytes.subarray(0, REDUCED_PART_BYTES);
    return {
      ...part,
      encoding: "base64",
      data: kept.toString("base64"),
      truncated: part.truncated || kept.length < bytes.length,
    };
  };
  return {
    ...record,
    headers: {},
    reason: `${record.reason} (SQS refused the full message with ${code}: sent reduced, headers left out)`,
    key: reduce(record.key),
    value: reduce(record.value),
  };
}
