// Runs one vitest tier N times in a row and appends one line per run to a log: time, tier, passed/failed
// counts, duration and the names of failing tests. Usage: node scripts/repeat-tier.mjs <tier> [runs] [log]
import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";

const { positionals } = parseArgs({ allowPositionals: true });
const [tier, runsArg = "10", log = "test-output/repeat-runs.log"] = positionals;
if (!["unit", "integration", "e2e", "cdk"].includes(tier ?? "")) {
  console.error("usage: node scripts/repeat-tier.mjs unit|integration|e2e|cdk [runs] [log file]");
  process.exit(2);
}
const runs = Number(runsArg);
// A report per tier, so that two tiers can repeat at once in one checkout.
const report = `test-output/repeat-${tier}.json`;
mkdirSync("test-output/repeat", { recursive: true });

let failures = 0;
for (let run = 1; run <= runs; run++) {
  rmSync(report, { force: true });
  const started = Date.now();
  const result = spawnSync("npx", ["vitest", "run", "--project", tier, `--outputFile.json=${report}`], {
    stdio: "inherit",
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  const line = summarise(result.status, seconds);
  const stamp = new Date(started).toISOString().slice(0, 19);
  if (existsSync(report))
    copyFileSync(report, `test-output/repeat/${tier}-${stamp.replaceAll(":", "")}.json`);
  appendFileSync(log, `${stamp}Z ${tier} run ${run}/${runs} ${line} ${seconds}s\n`);
  // A run that ends without its report did not run its tests, whatever its exit code says.
  if (result.status !== 0 || !existsSync(report)) failures += 1;
}
process.exit(failures === 0 ? 0 : 1);

function summarise(status, seconds) {
  if (!existsSync(report)) return `exit=${status} no report (run did not finish after ${seconds}s)`;
  const json = JSON.parse(readFileSync(report, "utf8"));
  const failing = [];
  for (const file of json.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failedTests)
      failing.push(`${file.name.replace(`${process.cwd()}/`, "")} > ${test.fullName}`);
    if (file.status === "failed" && failedTests.length === 0)
      failing.push(
        `${file.name.replace(`${process.cwd()}/`, "")} (${(file.message ?? "failed").split("\n")[0]})`,
      );
  }
  const counts = `passed=${json.numPassedTests} failed=${json.numFailedTests} skipped=${json.numPendingTests}`;
  return `exit=${status} ${counts}${failing.length ? ` failing: ${failing.join(" | ")}` : ""}`;
}
