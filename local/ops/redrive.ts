import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { KafkaBatchResponse } from "../../functions/shared/engine/handler";
import { REDRIVE_EVENT_FIELD } from "../../functions/shared/engine/redrive";
import {
  originalBytes,
  parseRejectedMessage,
  type RejectedMessage,
  unredrivableReason,
} from "../../functions/shared/engine/rejected-message";

/** Where a rejected record sat in Kafka. */
export interface Coordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** The Kafka event of a redrive: MSK-shaped, flagged so the engine applies its records past the fences. */
export interface RedriveEvent {
  readonly eventSource: "aws:kafka";
  readonly [REDRIVE_EVENT_FIELD]: true;
  readonly records: Record<string, unknown[]>;
}

export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** The consumer whose rejected records to redrive, as the messages name it ("inventory", "orders", …). */
  readonly consumer: string;
  /** Only messages whose reason contains this text. */
  readonly reason?: string;
  /** Only messages rejected at or after this time. */
  readonly since?: Date;
  /** Report what would be done; invoke nothing, delete nothing. */
  readonly dryRun?: boolean;
  /** Runs the consumer's engine on the event: the deployed function (lambda:InvokeFunction) or the local one. */
  readonly invoke: (event: RedriveEvent) => Promise<KafkaBatchResponse>;
  readonly onProgress?: (report: RedriveReport) => void;
  /**
   * How long received messages stay hidden from others while this run holds them.
   * @default 300
   */
  readonly visibilityTimeoutSeconds?: number;
}

export interface RedriveReport {
  /** Took effect (now, or already by an earlier redrive: each key applies it once); message deleted. */
  readonly applied: Coordinates[];
  /** Still invalid: back on the queue with the new reason; the old message deleted. */
  readonly rejectedAgain: (Coordinates & { readonly reason: string })[];
  /** Masked or cut (or unreadable): never re-applied, left on the queue. */
  readonly notRedrivable: (Coordinates & { readonly why: string })[];
  /** The engine could not finish them (an AWS error): left on the queue for another run. */
  readonly unfinished: Coordinates[];
  /** Messages of this consumer that matched the filters, so far. */
  matched: number;
}

const coordinatesKey = (c: Coordinates) => `${c.topic}/${c.partition}/${c.offset}`;

/**
 * Redrives a consumer's rejected records through its engine, exactly once per key (functions/shared/engine/
 * redrive.ts): each matching message becomes its original Kafka record again, and is deleted only once that
 * record took effect or was rejected again. Messages it does not redrive are made visible again at the end.
 */
export async function redriveRejected(options: RedriveOptions): Promise<RedriveReport> {
  const report: RedriveReport = {
    applied: [],
    rejectedAgain: [],
    notRedrivable: [],
    unfinished: [],
    matched: 0,
  };
  const held: Message[] = [];
  const seen = new Set<string>();
  // A record rejected again comes back as a new message with its coordinates: not redriven twice in one run.
  const rejectedThisRun = new Set<string>();
  try {
    for (let idle = 0; idle < 2; ) {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 300,
        }),
      );
      const fresh: { message: Message; rejected: RejectedMessage }[] = [];
      for (const message of Messages) {
        if (seen.has(message.MessageId!)) {
          held.push(message);
          continue;
        }
        seen.add(message.MessageId!);
        const picked = pick(message, options, report);
        if (picked && !rejectedThisRun.has(coordinatesKey(picked))) fresh.push({ message, rejected: picked });
        else held.push(message);
      }
      idle = Messages.length === 0 ? idle + 1 : 0;
      if (fresh.length === 0) continue;
      report.matched += fresh.length;
      if (options.dryRun) {
        for (const { message, rejected } of fresh) {
          report.applied.push(coordinatesOf(rejected));
          held.push(message);
        }
      } else {
        const done = await redriveBatch(options, fresh, report);
        held.push(...fresh.filter(({ message }) => !done.has(message)).map(({ message }) => message));
        await deleteMessages(options, [...done]);
        for (const again of report.rejectedAgain) rejectedThisRun.add(coordinatesKey(again));
      }
      options.onProgress?.(report);
    }
  } finally {
    await release(options, held);
  }
  return report;
}

/** The message's record when it belongs to this run; unreadable or unredrivable ones are reported, then held. */
function pick(message: Message, options: RedriveOptions, report: RedriveReport): RejectedMessage | undefined {
  let rejected: RejectedMessage;
  try {
    rejected = parseRejectedMessage(message.Body ?? "");
  } catch (error) {
    const body = JSON.parse(message.Body ?? "{}") as Partial<Coordinates & { consumer: string }>;
    if (body.consumer === options.consumer)
      report.notRedrivable.push({
        topic: String(body.topic),
        partition: Number(body.partition),
        offset: Number(body.offset),
        why: (error as Error).message,
      });
    return undefined;
  }
  if (rejected.consumer !== options.consumer) return undefined;
  if (options.reason && !rejected.reason.includes(options.reason)) return undefined;
  if (options.since && Date.parse(rejected.rejectedAt) < options.since.getTime()) return undefined;
  const why = unredrivableReason(rejected);
  if (why) {
    report.notRedrivable.push({ ...coordinatesOf(rejected), why });
    return undefined;
  }
  return rejected;
}

/** Invokes the engine once with the batch's records; returns the messages whose records are done. */
async function redriveBatch(
  options: RedriveOptions,
  batch: readonly { message: Message; rejected: RejectedMessage }[],
  report: RedriveReport,
): Promise<Set<Message>> {
  const done = new Set<Message>();
  const records: Record<string, unknown[]> = {};
  for (const { rejected } of batch) {
    const name = `${rejected.topic}-${rejected.partition}`;
    records[name] = [...(records[name] ?? []), kafkaRecordOf(rejected)];
  }
  let response: KafkaBatchResponse;
  try {
    response = await options.invoke({ eventSource: "aws:kafka", [REDRIVE_EVENT_FIELD]: true, records });
  } catch {
    // The function failed: nothing is known to have taken effect; every message stays for another run.
    report.unfinished.push(...batch.map(({ rejected }) => coordinatesOf(rejected)));
    return done;
  }
  const firstUnfinished = new Map(
    response.batchItemFailures.map(({ itemIdentifier }) => [itemIdentifier.partition, itemIdentifier.offset]),
  );
  const rejectedAgain = new Map((response.rejected ?? []).map((r) => [coordinatesKey(r), r.reason]));
  for (const { message, rejected } of batch) {
    const coordinates = coordinatesOf(rejected);
    const unfinishedFrom = firstUnfinished.get(`${rejected.topic}-${rejected.partition}`);
    if (unfinishedFrom !== undefined && rejected.offset >= unfinishedFrom) {
      report.unfinished.push(coordinates);
      continue;
    }
    const reason = rejectedAgain.get(coordinatesKey(coordinates));
    if (reason !== undefined) report.rejectedAgain.push({ ...coordinates, reason });
    else report.applied.push(coordinates);
    done.add(message);
  }
  return done;
}

/** The record as the MSK event carries it: base64 key and value, header values as byte arrays. */
export function kafkaRecordOf(rejected: RejectedMessage): Record<string, unknown> {
  return {
    topic: rejected.topic,
    partition: rejected.partition,
    offset: rejected.offset,
    timestamp: rejected.timestamp,
    timestampType: "CREATE_TIME",
    ...(rejected.key ? { key: originalBytes(rejected.key).toString("base64") } : {}),
    value: rejected.value ? originalBytes(rejected.value).toString("base64") : null,
    headers: Object.entries(rejected.headers).map(([name, text]) => ({
      [name]: [...Buffer.from(text, rejected.binaryHeaders?.includes(name) ? "base64" : "utf8")],
    })),
  };
}

const coordinatesOf = ({ topic, partition, offset }: Coordinates): Coordinates => ({
  topic,
  partition,
  offset,
});

async function deleteMessages(options: RedriveOptions, messages: readonly Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: chunk.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

/** Makes the messages this run held but did not finish visible again at once. */
async function release(options: RedriveOptions, messages: readonly Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    await options.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: chunk.map((m, i) => ({
          Id: `v${i}`,
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}
