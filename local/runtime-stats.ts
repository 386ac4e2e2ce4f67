import type { InvocationReport } from "./event-source/kafka-event-source";
import type { PartitionStall } from "./event-source/poller";
import type { AwsCall } from "./lambda/scope";

/** What a local run did: invocations and the AWS calls its handlers made. */
export interface RuntimeStats {
  /** Kafka-triggered invocations, retries included. */
  batches: number;
  /** Invocations with records delivered before (retries, partial-batch redeliveries, `redeliver` faults). */
  redeliveries: number;
  /** Invocations that died: injected crashes and kills. */
  crashes: number;
  timeouts: number;
  /** Invocations whose handler threw. */
  errors: number;
  dynamodb: { reads: number; writes: number };
  sns: { publishes: number };
}

const DYNAMODB_READS = new Set([
  "GetItemCommand",
  "BatchGetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "TransactGetItemsCommand",
]);
const DYNAMODB_WRITES = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "BatchWriteItemCommand",
  "TransactWriteItemsCommand",
]);

export function emptyStats(): RuntimeStats {
  return {
    batches: 0,
    redeliveries: 0,
    crashes: 0,
    timeouts: 0,
    errors: 0,
    dynamodb: { reads: 0, writes: 0 },
    sns: { publishes: 0 },
  };
}

/** Counts a call a handler sent: DynamoDB read and write requests, SNS messages published. */
export function meterCall(stats: RuntimeStats, call: AwsCall): void {
  if (call.service === "DynamoDB") {
    if (DYNAMODB_READS.has(call.command)) stats.dynamodb.reads += 1;
    if (DYNAMODB_WRITES.has(call.command)) stats.dynamodb.writes += 1;
  } else if (call.service === "SNS") {
    if (call.command === "PublishCommand") stats.sns.publishes += 1;
    if (call.command === "PublishBatchCommand") {
      const entries = (call.input as { PublishBatchRequestEntries?: unknown[] }).PublishBatchRequestEntries;
      stats.sns.publishes += entries?.length ?? 0;
    }
  }
}

/** Counts a Kafka-triggered invocation by how it ended. */
export function meterInvocation(stats: RuntimeStats, report: InvocationReport): void {
  stats.batches += 1;
  if (report.delivery.redelivery) stats.redeliveries += 1;
  if (report.outcome.status === "error") {
    if (report.outcome.kind === "crash") stats.crashes += 1;
    else if (report.outcome.kind === "timeout") stats.timeouts += 1;
    else stats.errors += 1;
  }
}

/**
 * For the progress line: "stalled since …" per partition whose batch keeps failing, or an empty list. The
 * mapping retries it for ever; the entry goes once the batch succeeds.
 */
export function describeStalls(stalls: readonly PartitionStall[], now = Date.now()): string[] {
  return stalls.map(
    (stall) =>
      `${stall.topic}-${stall.partition} stalled since ${stall.since.toISOString()} ` +
      `(${Math.round((now - stall.since.getTime()) / 1000)} s, offset ${stall.offset}, ${stall.failures} failed invocations: ${stall.reason})`,
  );
}
