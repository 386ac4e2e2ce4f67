import { setImmediate as nextTurn } from "node:timers/promises";
import { PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { EngineClients } from "./clients";
import { isConditionFailure } from "./errors";
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
  readonly bytes: number;
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
 * (false) and the others, written by nobody, are put again; a group refused for anything but its conditions (an
 * item too large, …) is written key by key, so that each key meets its own refusal. A group of one is a PutItem.
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
      const bytes = Buffer.byteLength(JSON.stringify(item));
      // A transaction may not name one item twice: a key's second put waits for the next group.
      if (this.bytes + bytes > MAX_GROUP_BYTES || this.waiting.some((w) => w.item.pk === item.pk))
        this.flush();
      this.waiting.push({ item, condition, bytes, settle });
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
    else if (group.length > 1) void this.send(group);
  }

  private async send(group: readonly Waiting[]): Promise<void> {
    const TransactItems = group.map(({ item, condition }) => ({
      Put: { TableName: this.ctx.tableName, Item: item, ...condition },
    }));
    try {
      await withRetry(
        "TransactWriteItems",
        (abortSignal) =>
          this.ctx.clients.dynamodb.send(new TransactWriteCommand({ TransactItems }), { abortSignal }),
        this.ctx.budget,
      );
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((error as Error)?.name === "TransactionCanceledException" && reasons?.length === group.length) {
        group.forEach((waiting, i) => {
          const code = reasons[i]?.Code;
          if (code === "ConditionalCheckFailed") waiting.settle(false);
          else if (code === undefined || code === "None")
            waiting.settle(this.put(waiting.item, waiting.condition));
          else waiting.settle(putOne(this.ctx, waiting));
        });
        return;
      }
      if (isRefusalOfTheGroup(error)) {
        for (const waiting of group) waiting.settle(putOne(this.ctx, waiting));
        return;
      }
      for (const waiting of group) waiting.settle(Promise.reject(error));
      return;
    }
    for (const waiting of group) waiting.settle(true);
  }
}

/**
 * A ValidationException of the call as a whole: no item is to blame until each is tried alone. AWS cancels a
 * transaction with an item over 400 KB with a ValidationError reason for that item; DynamoDB Local refuses the
 * whole call with a ValidationException. Both end with the refused item alone on a PutItem.
 */
function isRefusalOfTheGroup(error: unknown): boolean {
  return (error as Error)?.name === "ValidationException";
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
