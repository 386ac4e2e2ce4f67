import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { templateFunctions } from "../local/function-env";
import { createStackResources } from "../local/resources";
import { endpointEnvironment, startLocalServices } from "../local/services";
import { synthesizeTemplate } from "../local/template";
import { measureBundle } from "./bundles";
import { BENCH_CONSUMERS } from "./consumers";
import { measureCost } from "./cost";
import { measureLatency, measureSustainedRate, startPipeline } from "./pipeline";

// `npm run bench [-- --quick] [--out FILE]`: what exactly-once costs, how fast, how big.
const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: "bench/results/latest.json" },
  },
});
const quick = values.quick === true;
const minutes = quick ? 4 : 20;
const batchSizes = quick ? [500] : [10, 100, 500];

const services = await startLocalServices({ aws: true, kafka: false });
Object.assign(process.env, endpointEnvironment(services.endpoints), { POWERTOOLS_METRICS_DISABLED: "true" });
try {
  const template = synthesizeTemplate();
  const results: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    run: { quick, workloadMinutes: minutes, at: new Date().toISOString() },
  };

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
    const b5 = await measureSustainedRate(pipeline, quick ? 5_000 : 20_000);
    results.b5 = { orders: b5 };
    console.log(`B5 orders: ${b5.eventsPerSec.toFixed(0)} events/s over ${b5.events} events`);
  } finally {
    await pipeline.stop();
  }

  mkdirSync(dirname(String(values.out)), { recursive: true });
  writeFileSync(String(values.out), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${values.out}`);
} finally {
  await services.stop();
}
