import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { STATE_TABLE_SCHEMA } from "../../functions/shared/state-table-schema";
import { readRejected } from "./rejected-queue";
import type { OpsTarget } from "./target";

export interface ConsumerStatus {
  readonly consumer: string;
  readonly topic: string;
  readonly group: string;
  /** Per partition: committed and end offsets, lag, and since when it is stalled; null for a deployed stack. */
  readonly partitions:
    | {
        partition: number;
        committed: number;
        end: number;
        lag: number;
        stalledSince?: string;
        stallReason?: string;
      }[]
    | null;
  readonly lag: number | null;
  readonly stalledPartitions: number[];
  readonly rejected: number;
  readonly pendingAlerts: number;
  /** Age in seconds of the oldest alert waiting in an outbox, or null when none waits. */
  readonly oldestPendingAlertSeconds: number | null;
}

export interface StackStatus {
  readonly stack: string;
  readonly consumers: ConsumerStatus[];
  /** Rejected messages no consumer of the stack owns, or unreadable. */
  readonly rejectedTotal: number;
  readonly lastAlert: { alertType: string; subjectId: string; eventTime: string } | null;
}

/** Items with pending alerts, from the state table's sparse outbox index (it lists only those). */
async function pendingOutbox(target: OpsTarget, tableName: string) {
  let count = 0;
  let oldest: number | undefined;
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await target.dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        IndexName: STATE_TABLE_SCHEMA.outboxIndex.name,
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      count += item.outbox?.L?.length ?? 0;
      const since = Number(item[STATE_TABLE_SCHEMA.outboxIndex.sortKey]?.N);
      if (Number.isFinite(since)) oldest = Math.min(oldest ?? since, since);
    }
    ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return { count, oldestSeconds: oldest === undefined ? null : Math.round((Date.now() - oldest) / 1000) };
}

/** Per consumer: lag per partition, stalled partitions, rejected records, pending alerts; and the last alert. */
export async function stackStatus(target: OpsTarget): Promise<StackStatus> {
  const { entries } = await readRejected(target.sqs, target.rejectedQueueUrl);
  const consumers: ConsumerStatus[] = [];
  for (const consumer of target.consumers) {
    const progress = target.partitions(consumer);
    const partitions = progress?.map((p) => ({ ...p, lag: Math.max(0, p.end - p.committed) })) ?? null;
    const outbox = await pendingOutbox(target, consumer.stateTable);
    consumers.push({
      consumer: consumer.name,
      topic: consumer.topic,
      group: consumer.group,
      partitions,
      lag: partitions ? partitions.reduce((sum, p) => sum + p.lag, 0) : null,
      stalledPartitions: (partitions ?? []).filter((p) => p.stalledSince).map((p) => p.partition),
      rejected: entries.filter((entry) => entry.consumer === consumer.name).length,
      pendingAlerts: outbox.count,
      oldestPendingAlertSeconds: outbox.oldestSeconds,
    });
  }
  return {
    stack: target.name,
    consumers,
    rejectedTotal: entries.length,
    lastAlert: target.lastAlert ?? null,
  };
}
