import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { templateFunctions } from "../local/function-env";
import { createStackResources } from "../local/resources";
import { endpointEnvironment, startLocalServices } from "../local/services";
import { synthesizeTemplate } from "../local/template";
import { AWS_LATENCY, measureWithAwsLatency } from "./aws-latency";
import { measureBundle } from "./bundles";
import { BENCH_CONSUMERS } from "./consumers";
import { measureCost } from "./cost";
import { measureLatency, measureSustainedRate, startPipeline } from "./pipeline";
import { AWS_PRICES } from "./prices";

// `npm run bench [-- --quick] [--out FILE] [--only b1,b4,b3,b6]`: what exactly-once costs, how fast, how big.
const PARTS = ["b1", "b4", "b3", "b6"] as const;
const USAGE = `usage: npm run bench -- [--quick] [--out FILE] [--only ${PARTS.join(",")}] (b1 also measures B2, b3 also B5)`;
let values: { quick?: boolean; out?: string; only?: string };
try {
  ({ values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string", default: "bench/results/latest.json" },
      only: { type: "string", default: PARTS.join(",") },
    },
    strict: true,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(2);
}
const only = new Set(String(values.only).split(","));
for (const part of only) {
  if (!(PARTS as readonly string[]).includes(part)) {
    console.error(`--only takes some of ${PARTS.join(", ")}, got "${part}"\n${USAGE}`);
    process.exit(2);
  }
}
const quick = values.quick === true;
const minutes = quick ? 4 : 20;
const batchSizes = quick ? [500] : [10, 100, 500];

const services = await startLocalServices({ aws: true, kafka: false });
Object.assign(process.env, endpointEnvironment(services.endpoints), { POWERTOOLS_METRICS_DISABLED: "true" });
try {
  const template = synthesizeTemplate();
  // A run of some parts replaces those parts in the results file and keeps the others.
  const earlier =
    only.size < PARTS.length && existsSync(String(values.out))
      ? (JSON.parse(readFileSync(String(values.out), "utf8")) as Record<string, unknown>)
      : {};
  const results: Record<string, unknown> = {
    ...earlier,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    run: { quick, workloadMinutes: minutes, at: new Date().toISOString(), parts: [...only] },
  };

  if (only.has("b1")) {
    const b1: Record<string, unknown> = {};
    const b2: Record<string, unknown> = {};
    const byBatchSize: Record<string, unknown> = {};
    for (const [name, bench] of Object.entries(BENCH_CONSUMERS)) {
      for (const batchSize of batchSizes) {
        const cost = await measureCost(name, bench, {
          template,
          endpoints: services.endpoints,
          minutes,
          batchSize,
        });
        const { eventsPerSec: engineRate, ...engine } = cost.engine;
        const { eventsPerSec: baselineRate, ...baseline } = cost.baseline;
        byBatchSize[`${name}@${batchSize}`] = { events: cost.events, engine, baseline };
        if (batchSize === 500) {
          b1[name] = {
            events: cost.events,
            batchSize,
            engine,
            baseline,
            writesRatio: baseline.writesPerEvent / engine.writesPerEvent,
          };
          b2[name] = {
            engineEventsPerSec: engineRate,
            baselineEventsPerSec: baselineRate,
            ratio: engineRate / baselineRate,
          };
        }
        console.log(
          `B1 ${name} batch ${batchSize}: engine ${engine.writesPerEvent.toFixed(3)} writes/event, baseline ${baseline.writesPerEvent.toFixed(2)}; ` +
            `B2 ${engineRate.toFixed(0)} vs ${baselineRate.toFixed(0)} events/s`,
        );
      }
    }
    results.b1 = b1;
    results.b2 = b2;
    results.b1ByBatchSize = byBatchSize;
  }

  if (only.has("b4")) {
    const b4: Record<string, unknown> = {};
    const resources = await createStackResources(template, services.endpoints, `bench-b4-${Date.now()}`);
    for (const fn of templateFunctions(template, resources)) {
      const bundle = await measureBundle(fn.entry, fn.environment, quick ? 3 : 7);
      b4[fn.entry] = bundle;
      console.log(
        `B4 ${fn.entry}: ${(bundle.bundleBytes / 1024).toFixed(0)} KiB, import ${bundle.importMs.toFixed(0)} ms`,
      );
    }
    results.b4 = b4;
  }

  if (only.has("b6")) {
    // B6: the engine as on AWS, a latency drawn for every DynamoDB and SNS call, six partitions at once.
    // Batches of 100, the stack's default BatchSize: a few per partition, as the mappings deliver them.
    const b6: Record<string, unknown> = { latency: AWS_LATENCY, prices: AWS_PRICES, batchSize: 100 };
    for (const [name, bench] of Object.entries(BENCH_CONSUMERS)) {
      const measured = await measureWithAwsLatency(name, bench, {
        template,
        endpoints: services.endpoints,
        minutes,
        batchSize: 100,
      });
      b6[name] = measured;
      for (const run of measured)
        console.log(
          `B6 ${name}, ${run.concurrentPartitions} partition(s) at once, ${run.keyConcurrency} keys, ${run.keysPerWrite} per write: ${run.recordsPerSec.toFixed(0)} records/s ` +
            `(${run.perPartitionRecordsPerSec.min.toFixed(0)}–${run.perPartitionRecordsPerSec.max.toFixed(0)} per partition), ` +
            `${run.writesPerEvent.toFixed(3)} writes/event (${run.refusedWritesPerEvent.toFixed(3)} refused), $${run.dollarsPerMillionEvents.total.toFixed(2)} per million events`,
        );
    }
    results.b6 = b6;
  }

  if (only.has("b3")) {
    // B3 and B5 run through the whole local pipeline: the real Kafka broker, the local event source mappings.
    const alerts = new Map<string, number>();
    const pipeline = await startPipeline((alertId, at) => alerts.set(alertId, at));
    try {
      const b3 = await measureLatency(
        pipeline,
        alerts,
        quick
          ? { perSecond: 20, seconds: 10, spikeFactor: 10, spikeSeconds: 3 }
          : { perSecond: 20, seconds: 30, spikeFactor: 10, spikeSeconds: 10 },
      );
      results.b3 = b3;
      for (const [path, p] of Object.entries(b3))
        if (typeof p === "object")
          console.log(
            `B3 ${path}: p50 ${p.p50Ms} ms, p95 ${p.p95Ms} ms, p99 ${p.p99Ms} ms (${p.samples} samples)`,
          );
      // B5 for every consumer, one topic at a time, beside B2 (the engine alone) when this run measured it:
      // a B2 of an earlier run in the results file was taken at another load.
      const b5: Record<string, unknown> = {};
      for (const [name, bench] of Object.entries(BENCH_CONSUMERS)) {
        const rate = await measureSustainedRate(pipeline, bench.topic, quick ? 5_000 : 20_000);
        const b2 = only.has("b1") ? (results.b2 as Record<string, { engineEventsPerSec: number }>) : {};
        const engine = b2[name];
        const ofEngine = engine ? rate.eventsPerSec / engine.engineEventsPerSec : undefined;
        b5[name] = { ...rate, ...(ofEngine !== undefined && { ofEngineAlone: ofEngine }) };
        console.log(
          `B5 ${name}: ${rate.eventsPerSec.toFixed(0)} events/s over ${rate.events} events` +
            (ofEngine !== undefined ? `, ${(ofEngine * 100).toFixed(0)} % of B2` : ""),
        );
      }
      results.b5 = b5;
    } finally {
      await pipeline.stop();
    }
  }

  mkdirSync(dirname(String(values.out)), { recursive: true });
  writeFileSync(String(values.out), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${values.out}`);
} finally {
  await services.stop();
}
