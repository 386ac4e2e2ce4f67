import { randomUUID } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { MSKEvent } from "aws-lambda";
import { inject } from "vitest";
import type { PartitionedLog } from "../../local/event-source/log";
import { MemoryLog } from "../../local/event-source/memory-log";
import { receiveAll } from "../../local/queues";
import { createStackResources } from "../../local/resources";
import { LocalRuntime } from "../../local/runtime";
import { offsetsOf, type ScriptedMappingProps, scriptedConsumerTemplate } from "./local-handlers/scripts";

/** An embedded log whose commits the test can see, in order. */
export class RecordingLog extends MemoryLog {
  readonly commits: number[] = [];
  override async commit(group: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    this.commits.push(nextOffset);
    await super.commit(group, topic, partition, nextOffset);
  }
}

/** Starts the scripted consumer's template on `log`, with a private copy of its resources; the caller stops it. */
export async function startScriptedConsumer(props: ScriptedMappingProps, log: PartitionedLog) {
  const template = scriptedConsumerTemplate(props);
  const resources = await createStackResources(
    template,
    inject("endpoints"),
    `esm-${randomUUID().slice(0, 8)}`,
  );
  const runtime = new LocalRuntime({
    template,
    resources,
    endpoints: inject("endpoints"),
    log,
    partitions: 1,
    retryDelayMs: () => 0,
  });
  await runtime.start();
  return { runtime, failedBatchesUrl: resources.byLogicalId.get("FailedBatches")!.ref };
}

/** Produces `count` records `K-<n>` / `{ eventId: "E-<n>" }` to one partition, a millisecond apart from 23:03. */
export async function produceNumbered(log: PartitionedLog, topic: string, count: number, partition = 0) {
  await log.ensureTopic(topic, 2);
  await log.produce(
    topic,
    Array.from({ length: count }, (_, index) => ({
      key: `K-${index}`,
      value: JSON.stringify({ eventId: `E-${index}` }),
      partition,
      timestamp: Date.parse("2026-11-20T23:03:00.000Z") + index,
      headers: { source: "test" },
    })),
  );
}

export interface FailureRecordBody {
  readonly requestContext: { readonly approximateInvokeCount: number };
  readonly KafkaBatchInfo: Record<string, unknown>;
  readonly timestamp: string;
}

/** Waits for `expected` failure records in the on-failure queue. */
export async function receiveFailureRecords(
  queueUrl: string,
  expected: number,
): Promise<FailureRecordBody[]> {
  const sqs = new SQSClient({});
  const bodies: FailureRecordBody[] = [];
  try {
    while (bodies.length < expected) {
      for (const message of await receiveAll(sqs, queueUrl, 1)) bodies.push(JSON.parse(message.Body!));
    }
    return bodies;
  } finally {
    sqs.destroy();
  }
}

export const firstOffset = (event: MSKEvent) => offsetsOf(event)[0]!.offset;
export const batchSizes = (events: readonly MSKEvent[]) => events.map((event) => offsetsOf(event).length);
export const offsetsDelivered = (events: readonly MSKEvent[]) =>
  events.flatMap((event) => offsetsOf(event).map(({ offset }) => offset));
