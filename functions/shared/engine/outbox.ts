import {
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
} from "@aws-sdk/client-sns";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { TimeBudgetExceededError } from "./errors";
import { abandonedAlerts, claimedBy, takeOverAbandoned, withOutbox } from "./outbox-claims";
import { withRetry } from "./retry";
import type { OutboxOwner, StateItem } from "./state-item";
import { readItem, type StoreContext } from "./state-store";
import type { Alert } from "./types";

const PUBLISH_BATCH_LIMIT = 10;
const ACK_ATTEMPTS = 8;

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
 * Claims for `owner` the pending alerts of `item` abandoned at `now` (their claim ran out), with a write
 * conditional on the item's version. Returns the item as written, or undefined when there was nothing to
 * claim or the item changed since it was read (whoever changed it took them over, or the relay will).
 */
export async function claimAbandoned(
  ctx: StoreContext,
  item: StateItem,
  owner: OutboxOwner,
  now: number,
): Promise<StateItem | undefined> {
  if (abandonedAlerts(item, now).length === 0) return undefined;
  const next = withOutbox(item, item.outbox ?? [], takeOverAbandoned(item, owner, now), now);
  return (await putIfUnchanged(ctx, next, item.version, "PutItem (outbox claim)")) ? next : undefined;
}

/**
 * Publishes the pending alerts of each item that `ownerId` claimed (PublishBatch, 10 per call), then removes
 * exactly the alerts SNS accepted. Alerts SNS refused stay pending, still claimed, for the relay to publish
 * once the claim runs out. Returns how many alerts were published.
 */
export async function publishOutboxes(
  ctx: StoreContext,
  topicArn: string,
  items: readonly StateItem[],
  ownerId: string,
): Promise<number> {
  const pending = items.flatMap((item) => claimedBy(item, ownerId).map((alert) => ({ pk: item.pk, alert })));
  const published = new Map<string, Set<string>>();
  for (let start = 0; start < pending.length; start += PUBLISH_BATCH_LIMIT) {
    const chunk = pending.slice(start, start + PUBLISH_BATCH_LIMIT);
    let response: PublishBatchCommandOutput | undefined;
    try {
      response = await withRetry(
        "PublishBatch",
        (abortSignal) =>
          ctx.clients.sns.send(
            new PublishBatchCommand({
              TopicArn: topicArn,
              PublishBatchRequestEntries: chunk.map(({ alert }, i) => alertEntry(alert, `a${i}`)),
            }),
            { abortSignal },
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
      // An SNS refusal leaves the alerts pending: the relay publishes them once this invocation's claim runs out.
      if (!isAwsOrBudgetError(error)) throw error;
      ctx.stats.publishFailures += chunk.length;
    }
    ctx.stats.publishFailures += response?.Failed?.length ?? 0;
  }
  let count = 0;
  for (const item of items) {
    const ids = published.get(item.pk);
    if (!ids) continue;
    count += ids.size;
    try {
      await acknowledge(ctx, item, ids);
    } catch (error) {
      // The state is applied and the alerts are out: failing the batch would gain nothing. They stay pending
      // and go out again, with the same alertId, once this invocation's claim runs out.
      if (!isAwsOrBudgetError(error)) throw error;
      ctx.stats.acknowledgeFailures += ids.size;
    }
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
    const outbox = item.outbox ?? [];
    const remaining = outbox.filter((alert) => !published.has(alert.alertId));
    if (remaining.length === outbox.length) return;
    const claims = Object.fromEntries(
      Object.entries(item.outboxClaims ?? {}).filter(([alertId]) => !published.has(alertId)),
    );
    const next = withOutbox(item, remaining, claims, Date.now());
    if (await putIfUnchanged(ctx, next, item.version, "PutItem (outbox acknowledgement)")) return;
    item = await readItem(ctx, item.pk);
  }
  // Still listed after the bound: a later publish repeats these alerts with the same alertId, never loses them.
}

/** Puts `next` on condition that the stored version is still `readVersion`; false when it is not. */
async function putIfUnchanged(
  ctx: StoreContext,
  next: StateItem,
  readVersion: number,
  what: string,
): Promise<boolean> {
  try {
    await withRetry(
      what,
      (abortSignal) =>
        ctx.clients.dynamodb.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: next,
            ConditionExpression: "version = :read",
            ExpressionAttributeValues: { ":read": readVersion },
          }),
          { abortSignal },
        ),
      ctx.budget,
    );
    ctx.stats.writes++;
    return true;
  } catch (error) {
    if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    ctx.stats.conflicts++;
    return false;
  }
}

/** An AWS service error, or transient ones that outlasted the budget: not a crash and not a bug. */
export function isAwsOrBudgetError(error: unknown): boolean {
  return (
    error instanceof TimeBudgetExceededError ||
    (error as { $metadata?: unknown } | null)?.$metadata !== undefined
  );
}
