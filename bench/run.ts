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

  mkdirSync(dirname(String(values.out)), { recursive: true });
  writeFileSync(String(values.out), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${values.out}`);
} finally {
  await services.stop();
}
