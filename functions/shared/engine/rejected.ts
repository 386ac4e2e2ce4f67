import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { EngineError } from "./errors";
import { withRetry } from "./retry";
import type { StoreContext } from "./state-store";
import type { RejectedRecord } from "./types";

const SEND_BATCH_LIMIT = 10;
const MAX_VALUE_CHARS = 64 * 1024;

/**
 * Sends rejected records to the rejected-records queue, 10 per call. A record SQS refuses fails the batch:
 * a poison record is never dropped silently (a redelivery may send it twice; each copy has its coordinates).
 */
export async function sendRejected(
  ctx: StoreContext,
  queueUrl: string,
  rejected: readonly RejectedRecord[],
): Promise<void> {
  for (let start = 0; start < rejected.length; start += SEND_BATCH_LIMIT) {
    const chunk = rejected.slice(start, start + SEND_BATCH_LIMIT);
    const response = await withRetry(
      "SendMessageBatch",
      () =>
        ctx.clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((record, i) => ({
              Id: `r${i}`,
              MessageBody: JSON.stringify({
                ...record,
                value: record.value?.slice(0, MAX_VALUE_CHARS) ?? null,
              }),
              MessageAttributes: {
                topic: { DataType: "String", StringValue: record.topic },
                consumer: { DataType: "String", StringValue: record.consumer },
              },
            })),
          }),
        ),
      ctx.budget,
    );
    if ((response.Failed ?? []).length > 0) {
      const first = response.Failed![0]!;
      throw new EngineError(
        `rejected-records queue refused ${response.Failed!.length} records: ${first.Code} ${first.Message ?? ""}`,
      );
    }
  }
}
