import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** A rejected-record message as an operator reads it (either format; format 1 has no timestamp). */
export interface RejectedEntry {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly reason: string;
  readonly rejectedAt?: string;
  readonly format: number;
  /** The value as stored: masked, maybe cut. */
  readonly value: string | null;
  readonly masked: boolean;
}

function entryOf(message: Message): RejectedEntry {
  const body = JSON.parse(message.Body ?? "{}") as Record<string, unknown>;
  const value = body.value as { data?: string; encoding?: string } | string | null | undefined;
  return {
    consumer: String(body.consumer),
    topic: String(body.topic),
    partition: Number(body.partition),
    offset: Number(body.offset),
    reason: String(body.reason),
    ...(typeof body.rejectedAt === "string" ? { rejectedAt: body.rejectedAt } : {}),
    format: Number(body.format ?? 1),
    value:
      value === null || value === undefined
        ? null
        : typeof value === "string"
          ? value
          : `${value.encoding === "base64" ? "base64:" : ""}${value.data ?? ""}`,
    masked: body.masked === true,
  };
}

/**
 * Every message of the queue, read and made visible again at once (nothing is deleted): `select` picks those
 * to delete instead, when given.
 */
export async function readRejected(
  sqs: SQSClient,
  queueUrl: string,
  deleteWhere?: (entry: RejectedEntry) => boolean,
): Promise<{ entries: RejectedEntry[]; deleted: RejectedEntry[] }> {
  const entries: RejectedEntry[] = [];
  const deleted: RejectedEntry[] = [];
  const held: Message[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
        }),
      );
      if (Messages.length === 0) break;
      const doomed: Message[] = [];
      for (const message of Messages) {
        const entry = entryOf(message);
        entries.push(entry);
        if (deleteWhere?.(entry)) {
          doomed.push(message);
          deleted.push(entry);
        } else held.push(message);
      }
      if (doomed.length > 0)
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: doomed.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
    }
  } finally {
    for (let start = 0; start < held.length; start += 10)
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: held
            .slice(start, start + 10)
            .map((m, i) => ({ Id: `v${i}`, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
        }),
      );
  }
  return { entries, deleted };
}

/** Entries grouped by consumer, then reason, with their count. */
export function groupRejected(entries: readonly RejectedEntry[]) {
  const groups = new Map<
    string,
    { consumer: string; reason: string; count: number; records: RejectedEntry[] }
  >();
  for (const entry of entries) {
    const id = `${entry.consumer}\u0000${entry.reason}`;
    const group = groups.get(id) ?? { consumer: entry.consumer, reason: entry.reason, count: 0, records: [] };
    group.count++;
    group.records.push(entry);
    groups.set(id, group);
  }
  return [...groups.values()].sort((a, b) => a.consumer.localeCompare(b.consumer) || b.count - a.count);
}
