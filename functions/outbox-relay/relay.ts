import { randomUUID } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type EngineClients, type EngineStats, emptyStats } from "../shared/engine/clients";
import { claimAbandoned, isAwsOrBudgetError, publishOutboxes } from "../shared/engine/outbox";
import { withRetry } from "../shared/engine/retry";
import type { OutboxOwner, StateItem } from "../shared/engine/state-item";
import { readItem, type StoreContext } from "../shared/engine/state-store";
import { requiredEnv } from "../shared/env";
import { STATE_TABLE_SCHEMA } from "../shared/state-table-schema";

/** What the relay covers and how patient it is with live batches. */
export interface RelayOptions {
  /** Every state table of the stack. */
  readonly stateTables: readonly string[];
  readonly alertTopicArn: string;
  /**
   * How long after an alert's claim ran out (or, for the index query, after it was written) the relay still
   * leaves it to the batches; 0 in replay, where nothing runs concurrently.
   */
  readonly graceMs: number;
}

export interface RelayRun {
  readonly clients: EngineClients;
  /** The run's time, epoch ms: the scheduled event's `time`, so a replay runs on event time. */
  readonly now: number;
  /** Epoch ms (real time) by which the run must be done. */
  readonly deadline: number;
  /** Epoch ms (real time) at which Lambda stops the run; its claims last until then plus a margin. */
  readonly invocationEnd: number;
}

export interface RelayResult {
  /** Items the outbox index listed as pending for longer than the grace. */
  readonly itemsFound: number;
  /** Age in seconds of the oldest pending alert found (0 when none was). */
  readonly oldestAgeSeconds: number;
  /** Alerts the relay published. */
  readonly alertsPublished: number;
  /** Items or index pages the relay could not read or claim this run (AWS errors); the next run tries again. */
  readonly itemFailures: number;
  /** What the engine's store and outbox code counted. */
  readonly stats: EngineStats;
}

const DEFAULT_GRACE_SECONDS = 30;
const CLAIM_MARGIN_MS = 10_000;

/** The relay's settings from its environment: STATE_TABLE_NAMES, ALERT_TOPIC_ARN, OUTBOX_RELAY_GRACE_SECONDS. */
export function relayOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RelayOptions {
  const stateTables = requiredEnv("STATE_TABLE_NAMES", env)
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const grace = env.OUTBOX_RELAY_GRACE_SECONDS ?? String(DEFAULT_GRACE_SECONDS);
  const graceSeconds = Number(grace);
  if (grace.trim() === "" || !Number.isFinite(graceSeconds) || graceSeconds < 0) {
    throw new Error(`environment variable OUTBOX_RELAY_GRACE_SECONDS must be a number ≥ 0, got "${grace}"`);
  }
  return { stateTables, alertTopicArn: requiredEnv("ALERT_TOPIC_ARN", env), graceMs: graceSeconds * 1000 };
}

/**
 * Publishes the alerts no batch will: for each state table, every shard of the sparse outbox index, items
 * pending since before `now − grace`, re-read consistently; alerts whose claim ran out `grace` ago are
 * claimed, published and acknowledged with the engine's own outbox code.
 */
export async function relayOutboxes(options: RelayOptions, run: RelayRun): Promise<RelayResult> {
  const stats = emptyStats();
  const owner = {
    id: `relay-${randomUUID()}`,
    until: run.now + (run.invocationEnd - Date.now()) + CLAIM_MARGIN_MS,
  };
  const cutoff = run.now - options.graceMs;
  const found = { items: 0, oldest: Number.POSITIVE_INFINITY, failures: 0 };
  let alertsPublished = 0;
  for (const tableName of options.stateTables) {
    const ctx: StoreContext = {
      clients: run.clients,
      tableName,
      sideTables: {},
      budget: { deadline: run.deadline, onRetry: () => stats.retries++ },
      stats,
    };
    const claimed: StateItem[] = [];
    for (let shard = 0; shard < STATE_TABLE_SCHEMA.outboxShards && Date.now() < run.deadline; shard++) {
      for await (const listed of pendingSince(ctx, String(shard), cutoff, found)) {
        found.items++;
        found.oldest = Math.min(found.oldest, listed.outboxSince);
        if (Date.now() >= run.deadline) break;
        const mine = await claimListed(ctx, listed.pk, owner, cutoff, found);
        if (mine) claimed.push(mine);
      }
    }
    alertsPublished += await publishOutboxes(ctx, options.alertTopicArn, claimed, owner.id);
  }
  const oldestAgeSeconds = found.items === 0 ? 0 : Math.max(0, (run.now - found.oldest) / 1000);
  return { itemsFound: found.items, oldestAgeSeconds, alertsPublished, itemFailures: found.failures, stats };
}

/** Re-reads a listed item and claims its abandoned alerts; an AWS error leaves it to the next run. */
async function claimListed(
  ctx: StoreContext,
  pk: string,
  owner: OutboxOwner,
  cutoff: number,
  found: { failures: number },
): Promise<StateItem | undefined> {
  try {
    // The index lags the table: only a consistent read says what is still pending.
    const item = await readItem(ctx, pk);
    return item?.outbox?.length ? await claimAbandoned(ctx, item, owner, cutoff) : undefined;
  } catch (error) {
    if (!isAwsOrBudgetError(error)) throw error;
    found.failures++;
    return undefined;
  }
}

/** Items one shard of the outbox index lists as pending since `cutoff` or before, oldest first. */
async function* pendingSince(
  ctx: StoreContext,
  shard: string,
  cutoff: number,
  found: { failures: number },
): AsyncGenerator<{ pk: string; outboxSince: number }> {
  const { outboxIndex, partitionKey } = STATE_TABLE_SCHEMA;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await withRetry(
      "Query (outbox index)",
      (abortSignal) =>
        ctx.clients.dynamodb.send(
          new QueryCommand({
            TableName: ctx.tableName,
            IndexName: outboxIndex.name,
            KeyConditionExpression: "#shard = :shard AND #since <= :cutoff",
            ProjectionExpression: "#pk, #since",
            ExpressionAttributeNames: {
              "#shard": outboxIndex.partitionKey,
              "#since": outboxIndex.sortKey,
              "#pk": partitionKey,
            },
            ExpressionAttributeValues: { ":shard": shard, ":cutoff": cutoff },
            ExclusiveStartKey: startKey,
          }),
          { abortSignal },
        ),
      ctx.budget,
    ).catch((error: unknown) => {
      // The shard waits for the next run; what was claimed so far is still published.
      if (!isAwsOrBudgetError(error)) throw error;
      found.failures++;
      return undefined;
    });
    if (!page) return;
    for (const item of page.Items ?? []) {
      yield { pk: String(item[partitionKey]), outboxSince: Number(item[outboxIndex.sortKey]) };
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
