import {
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
} from "@aws-sdk/client-sns";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { STATE_TABLE_SCHEMA } from "../state-table-schema";
import { TimeBudgetExceededError } from "./errors";
import { outboxAttributes } from "./fold";
import { withRetry } from "./retry";
import type { StateItem } from "./state-item";
import { readItem, type StoreContext } from "./state-store";
import type { Alert } from "./types";

const PUBLISH_BATCH_LIMIT = 10;
const ACK_ATTEMPTS = 5;

/** The SNS message for an alert: the alert as JSON, with attributes subscribers filter on. */
export function alertEntry(alert: Alert, id: string): PublishBatchRequestEntry {
  const attribute = (value: string) => ({ DataType: "String", StringValue: value });
  return {
    Id: id,
    Message: JSON.stringify(alert),
    Subject: `${alert.alertType} ${alert.subjectId}`.slice(0, 99),
    MessageAttributes: {
      alertType: attribute(alert.alertType),
      severity: attribute(alert.severity),
      subjectId: attribute(alert.subjectId),
      alertId: attribute(alert.alertId),
    },
  };
}

/**
 * Publishes the pending outbox of each item (PublishBatch, 10 per call), then removes exactly the entries
 * SNS accepted. Entries SNS refused stay pending for the next touch of the key or the relay.
 * Returns how many alerts were published.
 */
export async function publishOutboxes(
  ctx: StoreContext,
  topicArn: string,
  items: readonly StateItem[],
): Promise<number> {
  const pending = items.flatMap((item) => (item.outbox ?? []).map((alert) => ({ pk: item.pk, alert })));
  const published = new Map<string, Set<string>>();
  for (let start = 0; start < pending.length; start += PUBLISH_BATCH_LIMIT) {
    const chunk = pending.slice(start, start + PUBLISH_BATCH_LIMIT);
    let response: PublishBatchCommandOutput | undefined;
    try {
      response = await withRetry(
        "PublishBatch",
        () =>
          ctx.clients.sns.send(
            new PublishBatchCommand({
              TopicArn: topicArn,
              PublishBatchRequestEntries: chunk.map(({ alert }, i) => alertEntry(alert, `a${i}`)),
            }),
          ),
        ctx.budget,
      );
      ctx.stats.snsPublishCalls++;
      for (const ok of response.Successful ?? []) {
        const entry = chunk[Number(ok.Id?.slice(1))];
        if (!entry) continue;
        const ids = published.get(entry.pk) ?? new Set<string>();
        ids.add(entry.alert.alertId);
        published.set(entry.pk, ids);
      }
    } catch (error) {
      // An SNS refusal leaves the alerts pending: the next touch of the key or the relay publishes them.
      if (
        !(error instanceof TimeBudgetExceededError) &&
        (error as { $metadata?: unknown }).$metadata === undefined
      ) {
        throw error;
      }
      ctx.stats.publishFailures++;
    }
    for (const failed of response?.Failed ?? []) if (failed) ctx.stats.publishFailures++;
  }
  let count = 0;
  for (const item of items) {
    const ids = published.get(item.pk);
    if (!ids) continue;
    await acknowledge(ctx, item, ids);
    count += ids.size;
  }
  ctx.stats.alertsPublished += count;
  return count;
}

/** Removes the published alerts from the item's outbox, re-reading it when another writer got there first. */
async function acknowledge(
  ctx: StoreContext,
  written: StateItem,
  published: ReadonlySet<string>,
): Promise<void> {
  let item: StateItem | undefined = written;
  for (let attempt = 0; attempt < ACK_ATTEMPTS && item; attempt++) {
    const remaining = (item.outbox ?? []).filter((alert) => !published.has(alert.alertId));
    if (remaining.length === (item.outbox ?? []).length) return;
    const {
      outbox: _outbox,
      [STATE_TABLE_SCHEMA.outboxIndex.partitionKey]: _shard,
      [STATE_TABLE_SCHEMA.outboxIndex.sortKey]: _since,
      ...rest
    } = item;
    const next = {
      ...rest,
      version: item.version + 1,
      ...outboxAttributes(item.pk, remaining, item.outboxSince ?? Date.now()),
    };
    try {
      await withRetry(
        "PutItem (outbox acknowledgement)",
        () =>
          ctx.clients.dynamodb.send(
            new PutCommand({
              TableName: ctx.tableName,
              Item: next,
              ConditionExpression: "version = :read",
              ExpressionAttributeValues: { ":read": item!.version },
            }),
          ),
        ctx.budget,
      );
      ctx.stats.writes++;
      return;
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      ctx.stats.conflicts++;
      item = await readItem(ctx, item.pk);
    }
  }
  // Still listed after the bound: a later publish repeats these alerts with the same alertId, never loses them.
}
