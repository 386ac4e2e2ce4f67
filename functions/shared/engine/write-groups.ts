import { setImmediate as nextTurn } from "node:timers/promises";
import { PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { EngineClients } from "./clients";
import { dynamoDbRefusal, isConditionFailure } from "./errors";
import { itemBytes } from "./item-size";
import { type RetryBudget, withRetry } from "./retry";
import type { StateItem } from "./state-item";

/** DynamoDB's bound on a TransactWriteItems call's size is 4 MB: the groups keep a margin. */
const MAX_GROUP_BYTES = 3_000_000;

/** A conditional put: the item and the condition it is written on. */
export interface ConditionalPut {
  readonly item: StateItem;
  readonly condition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> };
}

interface Waiting extends ConditionalPut {
  readonly settle: (written: boolean | Promise<boolean>) => void;
}

export interface WriteGroupContext {
  readonly clients: EngineClients;
  readonly tableName: string;
  readonly budget: RetryBudget;
}

/**
 * Gathers the conditional puts that a batch's keys make in the same turn of the event loop into TransactWriteItems
 * calls of up to `size` items: one round trip for many keys, at twice the write units per item. Each put keeps its
 * own condition and outcome. When DynamoDB cancels a group, the items whose condition failed report a lost race
 * (false), the ones it blames for anything else (a conflict, throttling, a size) are put alone, so that each key
 * meets its own answer, and the others, written by nobody, are put again. A group of one is a PutItem.
 * No library gathers calls by turn with per-call outcomes like this (DataLoader batches loads, not conditions).
 */
export class WriteGroups {
  private waiting: Waiting[] = [];
  private bytes = 0;
  private flushing = false;

  constructor(
    private readonly ctx: WriteGroupContext,
    private readonly size: number,
  ) {}

  /** Puts `item` on `condition`; resolves false when the condition failed. */
  put(item: StateItem, condition: ConditionalPut["condition"]): Promise<boolean> {
    return new Promise<boolean>((settle) => {
      const bytes = itemBytes(item);
      // A transaction may not name one item twice: a key's second put waits for the next group.
      if (this.bytes + bytes > MAX_GROUP_BYTES || this.waiting.some((w) => w.item.pk === item.pk))
        this.flush();
      this.waiting.push({ item, condition, settle });
      this.bytes += bytes;
      if (this.waiting.length >= this.size) this.flush();
      else if (!this.flushing) {
        this.flushing = true;
        // Every key that folds in this turn joins the group; the next turn sends it.
        void nextTurn().then(() => {
          this.flushing = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const group = this.waiting;
    this.waiting = [];
    this.bytes = 0;
    if (group.length === 1) group[0]!.settle(putOne(this.ctx, group[0]!));
    // Every path of send settles every put; a bug that threw out of it would otherwise leave its keys waiting.
    else if (group.length > 1)
      this.send(group).catch((error) => {
        for (const waiting of group) waiting.settle(Promise.reject(error));
      });
  }

  private async send(group: readonly Waiting[]): Promise<void> {
    const TransactItems = group.map(({ item, condition }) => ({
      Put: { TableName: this.ctx.tableName, Item: item, ...condition },
    }));
    let reasons: readonly { Code?: string }[] | undefined;
    try {
      // A cancelled group is settled item by item below, never resent whole: withRetry would resend it for one
      // item's TransactionConflict, holding every other key of the group through its backoff.
      reasons = await withRetry(
        "TransactWriteItems",
        async (abortSignal) => {
          try {
            await this.ctx.clients.dynamodb.send(new TransactWriteCommand({ TransactItems }), {
              abortSignal,
            });
            return undefined;
          } catch (error) {
            if ((error as Error)?.name !== "TransactionCanceledException") throw error;
            return (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
          }
        },
        this.ctx.budget,
      );
    } catch (error) {
      // Refused for what the call holds: each item alone meets its own answer. AWS cancels a transaction with an
      // item over 400 KB naming that item (a ValidationError reason); DynamoDB Local refuses the whole call with a
      // ValidationException. Both end with the refused item alone on a PutItem.
      if (dynamoDbRefusal(error) !== undefined)
        for (const waiting of group) waiting.settle(putOne(this.ctx, waiting));
      else for (const waiting of group) waiting.settle(Promise.reject(error));
      return;
    }
    if (reasons === undefined) {
      for (const waiting of group) waiting.settle(true);
      return;
    }
    // Reasons that blame no item (or not one per item): no item can be settled from them, so each goes alone.
    const blamed = reasons.length === group.length && reasons.some((r) => r.Code && r.Code !== "None");
    group.forEach((waiting, i) => {
      const code = blamed ? reasons[i]?.Code : "Unknown";
      if (code === "ConditionalCheckFailed") waiting.settle(false);
      else if (code === undefined || code === "None")
        waiting.settle(this.put(waiting.item, waiting.condition));
      // TransactionConflict, throttling, an item too large, …: PutItem retries or refuses that key alone.
      else waiting.settle(putOne(this.ctx, waiting));
    });
  }
}

/** One conditional PutItem; false when its condition failed. */
export async function putOne(ctx: WriteGroupContext, { item, condition }: ConditionalPut): Promise<boolean> {
  try {
    await withRetry(
      "PutItem",
      (abortSignal) =>
        ctx.clients.dynamodb.send(new PutCommand({ TableName: ctx.tableName, Item: item, ...condition }), {
          abortSignal,
        }),
      ctx.budget,
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
