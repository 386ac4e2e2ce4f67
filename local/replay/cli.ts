import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseFaults } from "../faults";
import { parseReplayInput } from "./input";
import { runReplay } from "./replay";

// `npm run replay -- --input events.jsonl --out result.json [--partitions 3] [--batch-size 100]
//   [--faults redeliver=0.2,crash=0.1,throttle=0.1,snsfail=0.05] [--seed 1] [--embedded] [--max-retries 1000]
//   [--allow-failed]`: exits 2 when a batch was given up after --max-retries, unless --allow-failed.
const { values } = parseArgs({
  options: {
    input: { type: "string" },
    out: { type: "string" },
    partitions: { type: "string", default: "3" },
    "batch-size": { type: "string" },
    faults: { type: "string", default: "" },
    seed: { type: "string", default: "1" },
    embedded: { type: "boolean", default: false },
    "max-retries": { type: "string", default: "1000" },
    "allow-failed": { type: "boolean", default: false },
  },
  strict: true,
});

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer, got ${text}`);
  return value;
}

try {
  if (!values.input || !values.out)
    throw new Error("usage: npm run replay -- --input events.jsonl --out result.json");
  const records = parseReplayInput(readFileSync(values.input, "utf8"));
  const started = Date.now();
  const result = await runReplay({
    records,
    partitions: positiveInteger("partitions", values.partitions),
    batchSize: positiveInteger("batch-size", values["batch-size"]),
    faults: parseFaults(values.faults),
    seed: values.seed,
    embedded: values.embedded,
    maxRetries: positiveInteger("max-retries", values["max-retries"]),
    onProgress: (message) => console.error(`replay: ${message}`),
  });
  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  const { stats } = result;
  console.error(
    `replay: ${stats.records} records in ${stats.batches} batches (${stats.redeliveries} redelivered, ${stats.crashes} crashed), ` +
      `${result.alerts.length} alerts, ${result.rejected.length} rejected, ${result.failedBatches.length} batches given up, ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s → ${values.out}`,
  );
  for (const batch of result.failedBatches)
    console.error(
      `replay: gave up ${batch.topic}-${batch.partition} offsets ${batch.firstOffset}–${batch.lastOffset}: ${batch.reason}`,
    );
  process.exit(result.failedBatches.length > 0 && !values["allow-failed"] ? 2 : 0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
