import type { KafkaBatchResponse } from "../../functions/shared/engine/handler";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";

/**
 * One poll of the model event source mapping: how many records to take per partition, and whether a second
 * invocation (a rebalance) gets an overlapping batch from the same offsets at the same time.
 */
export interface Poll {
  readonly size: number;
  readonly overlap?: { readonly size: number };
}

export interface DriverResult {
  /** Invocations made, the overlapping ones included. */
  readonly invocations: number;
  /** Invocations that threw (a crash): nothing of their batch was committed. */
  readonly crashed: number;
}

type Handler = (event: ReturnType<typeof buildKafkaEvent>) => Promise<KafkaBatchResponse>;

const MAX_POLLS = 300;

/**
 * Delivers `records` the way the Kafka event source mapping does: from each partition's first uncommitted
 * offset, in batches sized by `polls` (cycled); a thrown invocation commits nothing, a partial batch failure
 * commits up to the reported offset of its partition and everything of the other partitions. Runs until
 * every record is committed. An overlapping invocation's response is ignored, as an old owner's commit is.
 */
export async function deliverUntilCommitted(
  records: readonly RawKafkaRecord[],
  polls: readonly Poll[],
  handler: Handler,
): Promise<DriverResult> {
  const partitions = new Map<string, RawKafkaRecord[]>();
  for (const record of [...records].sort((a, b) => a.offset - b.offset)) {
    const name = `${record.topic}-${record.partition}`;
    partitions.set(name, [...(partitions.get(name) ?? []), record]);
  }
  const committed = new Map([...partitions.keys()].map((name) => [name, 0]));
  const take = (size: number) =>
    [...partitions].flatMap(([name, list]) => list.slice(committed.get(name)!, committed.get(name)! + size));
  let invocations = 0;
  let crashed = 0;
  for (let poll = 0; [...partitions].some(([name, list]) => committed.get(name)! < list.length); poll++) {
    if (poll >= MAX_POLLS) throw new Error(`records still uncommitted after ${MAX_POLLS} polls`);
    const { size, overlap } = polls[poll % polls.length]!;
    const batch = take(size);
    const twin = overlap ? handler(buildKafkaEvent(take(overlap.size))).catch(() => undefined) : undefined;
    invocations += twin ? 2 : 1;
    let response: KafkaBatchResponse;
    try {
      response = await handler(buildKafkaEvent(batch));
    } catch {
      crashed++;
      await twin;
      continue;
    }
    await twin;
    const failed = new Map(
      response.batchItemFailures.map((f) => [f.itemIdentifier.partition, f.itemIdentifier.offset]),
    );
    for (const [name, list] of partitions) {
      const inBatch = batch.filter((r) => `${r.topic}-${r.partition}` === name);
      if (inBatch.length === 0) continue;
      const next = failed.get(name) ?? inBatch.at(-1)!.offset + 1;
      const index = list.findIndex((r) => r.offset >= next);
      committed.set(name, Math.max(committed.get(name)!, index === -1 ? list.length : index));
    }
  }
  return { invocations, crashed };
}
