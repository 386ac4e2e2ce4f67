import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { stockAlertId } from "../functions/inventory/alerts";
import { templateFunction } from "../local/function-env";
import { type RunningLocalStack, startLocalStack } from "../local/local-stack";
import { localStreamingConfig } from "../local/template";
import { topicWorkload } from "./workload";

export interface Percentiles {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { samples: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) };
}

/** The whole local pipeline on the real Kafka broker, with an alert callback the benchmark can listen on. */
export async function startPipeline(
  onAlert: (alertId: string, receivedAt: number) => void,
): Promise<RunningLocalStack> {
  return startLocalStack({
    embedded: false,
    partitions: 6,
    onAlert: (alert) => onAlert(alert.alertId, Date.now()),
    onError: (error, where) =>
      console.error(`pipeline ${where}:`, error instanceof Error ? error.message : error),
  });
}

/**
 * B3: stock snapshots that each flip a product between IN_STOCK and LOW_STOCK (so each one alerts), produced
 * at `perSecond` for `seconds`, then `spikeFactor`× that for `spikeSeconds`. Measures produce-to-alert (an
 * SQS subscriber of the alert topic receives it) and produce-to-visible (the availability item shows it).
 */
export async function measureLatency(
  stack: RunningLocalStack,
  alerts: Map<string, number>,
  {
    perSecond,
    seconds,
    spikeFactor,
    spikeSeconds,
  }: { perSecond: number; seconds: number; spikeFactor: number; spikeSeconds: number },
) {
  const topic = localStreamingConfig().topics.inventory;
  const table = templateFunction(stack.template, stack.resources, "functions/inventory/handler.ts")
    .environment.STATE_TABLE_NAME!;
  const dynamodb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.services.endpoints.dynamodb }),
  );
  const sent: { alertId: string; productId: string; eventTime: string; producedAt: number; phase: string }[] =
    [];
  const visible: Record<string, number[]> = { steady: [], spike: [] };
  const polls: Promise<void>[] = [];
  let n = 0;
  const produceFor = async (phase: string, rate: number, duration: number) => {
    const end = Date.now() + duration * 1000;
    while (Date.now() < end) {
      const tickStart = Date.now();
      const batch = Array.from({ length: Math.max(1, Math.round(rate / 10)) }, () => {
        const i = n++;
        const productId = `B3-${i % 50}`;
        const low = Math.floor(i / 50) % 2 === 0;
        const eventTime = new Date(Date.now()).toISOString();
        return { productId, quantity: low ? 5 : 100, eventTime, i, low };
      });
      const positions = await stack.log.produce(
        topic,
        batch.map((r) => ({
          key: r.productId,
          value: JSON.stringify({
            eventId: `b3-${r.i}`,
            productId: r.productId,
            quantity: r.quantity,
            eventTime: r.eventTime,
          }),
        })),
      );
      const producedAt = Date.now();
      batch.forEach((r, k) => {
        const { partition, offset } = positions[k]!;
        const alertType = r.low ? "LOW_STOCK" : "BACK_IN_STOCK";
        // The first snapshot of a product starts it at LOW_STOCK from nothing, which alerts too.
        sent.push({
          alertId: stockAlertId(alertType, r.productId, { topic, partition, offset }),
          productId: r.productId,
          eventTime: r.eventTime,
          producedAt,
          phase,
        });
        if (r.i % 5 === 0)
          polls.push(
            pollVisible(dynamodb, table, r.productId, r.eventTime, producedAt).then(
              (ms) => void visible[phase]!.push(ms),
            ),
          );
      });
      await sleep(Math.max(0, 100 - (Date.now() - tickStart)));
    }
  };
  await produceFor("steady", perSecond, seconds);
  await produceFor("spike", perSecond * spikeFactor, spikeSeconds);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && sent.some((s) => !alerts.has(s.alertId))) await sleep(200);
  await Promise.all(polls);
  dynamodb.destroy();
  const toAlert = (phase: string) =>
    sent
      .filter((s) => s.phase === phase && alerts.has(s.alertId))
      .map((s) => alerts.get(s.alertId)! - s.producedAt);
  const missing = sent.filter((s) => !alerts.has(s.alertId)).length;
  return {
    "produce-to-alert (inventory, steady)": { ...percentiles(toAlert("steady")), perSecond },
    "produce-to-alert (inventory, 10x spike)": {
      ...percentiles(toAlert("spike")),
      perSecond: perSecond * spikeFactor,
    },
    "produce-to-visible (availability, steady)": percentiles(visible.steady!),
    "produce-to-visible (availability, 10x spike)": percentiles(visible.spike!),
    alertsMissing: missing,
  };
}

async function pollVisible(
  dynamodb: DynamoDBDocumentClient,
  table: string,
  productId: string,
  eventTime: string,
  producedAt: number,
) {
  const deadline = producedAt + 60_000;
  while (Date.now() < deadline) {
    const { Item } = await dynamodb.send(
      new GetCommand({ TableName: table, Key: { pk: productId }, ConsistentRead: true }),
    );
    const asOf = (Item?.state as { asOf?: string } | undefined)?.asOf;
    if (asOf && asOf >= eventTime) return Date.now() - producedAt;
    await sleep(10);
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * B5 for one topic: `count` records of the seeded simulator's traffic (B1's workload, five times as dense)
 * produced up front, then the time the topic's consumer group takes to catch up: the rate it holds with its lag
 * falling, on this machine, through the real broker, the local event source mapping with the stack's own
 * batching settings, and DynamoDB Local.
 */
export async function measureSustainedRate(stack: RunningLocalStack, topic: string, count: number) {
  const group = stack.runtime.eventSources.find((s) => s.definition.topics.includes(topic))!.definition
    .consumerGroupId;
  const committedTotal = async () => {
    const ends = await stack.log.endOffsets(topic);
    let done = 0;
    for (const partition of ends.keys()) done += (await stack.log.committed(group, topic, partition)) ?? 0;
    return done;
  };
  const start = await committedTotal();
  const records = workloadOf(topic, count).map((record) => ({ key: record.key, value: record.rawValue }));
  const began = Date.now();
  for (let i = 0; i < records.length; i += 2000) await stack.log.produce(topic, records.slice(i, i + 2000));
  const deadline = Date.now() + 300_000;
  while ((await committedTotal()) - start < records.length && Date.now() < deadline) await sleep(250);
  const processed = (await committedTotal()) - start;
  return { eventsPerSec: processed / ((Date.now() - began) / 1000), events: processed };
}

/** The first `count` records of the topic in the simulator's traffic, taking as many minutes as that needs. */
function workloadOf(topic: string, count: number) {
  for (let minutes = 4; ; minutes *= 2) {
    const records = topicWorkload(topic, { minutes, visitsPerSecond: 25 });
    if (records.length >= count) return records.slice(0, count);
  }
}
