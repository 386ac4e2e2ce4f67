import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type ChaosReport, runChaos } from "./run";

// `npm run chaos -- [--minutes 5] [--rate 200] [--seed 1] [--out chaos.json] [--partitions 3]
//   [--kills-per-minute 4]`: exits 1 when anything was lost, doubled where it must not be, or mismatched.
const USAGE =
  "usage: npm run chaos -- [--minutes 5] [--rate 200] [--seed 1] [--out chaos.json] [--partitions 3] [--kills-per-minute 4]";

function numberOption(name: string, text: string, { integer = false, min = 0 } = {}): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= min || (integer && !Number.isInteger(value))) {
    const kind = integer ? "an integer" : "a number";
    throw new RangeError(`--${name} must be ${kind} greater than ${min}, got "${text}"\n${USAGE}`);
  }
  return value;
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      minutes: { type: "string", default: "5" },
      rate: { type: "string", default: "200" },
      seed: { type: "string", default: "1" },
      out: { type: "string", default: "chaos.json" },
      partitions: { type: "string", default: "3" },
      "kills-per-minute": { type: "string", default: "4" },
    },
    strict: true,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(2);
}

try {
  const minutes = numberOption("minutes", values.minutes!);
  const rate = numberOption("rate", values.rate!);
  const seed = numberOption("seed", values.seed!, { integer: true, min: -1 });
  const partitions = numberOption("partitions", values.partitions!, { integer: true });
  const killsPerMinute = numberOption("kills-per-minute", values["kills-per-minute"]!, { min: -1 });
  const report = await runChaos({
    minutes,
    rate,
    seed,
    partitions,
    killsPerMinute,
    onProgress: (line) => console.error(`chaos: ${line}`),
  });
  writeFileSync(values.out!, `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
  console.error(`chaos: report in ${values.out}; ${report.passed ? "PASSED" : "FAILED"}`);
  process.exit(report.passed ? 0 : 1);
} catch (error) {
  console.error(error instanceof RangeError ? error.message : error);
  process.exit(error instanceof RangeError ? 2 : 1);
}

function printReport(report: ChaosReport) {
  const rows: [string, string][] = [
    [
      "faults",
      Object.entries(report.faults)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(", "),
    ],
    [
      "kills by moment",
      Object.entries(report.kills)
        .map(([moment, n]) => `${moment} ${n}`)
        .join(", ") || "none",
    ],
    ["records", `${report.records} (not as acknowledged: ${report.recordsMismatch})`],
    [
      "alerts",
      `expected ${report.alerts.expected}, received ${report.alerts.received}, lost ${report.alerts.lost}, ` +
        `unexpected ${report.alerts.unexpected}, duplicated deliveries ${report.alerts.duplicated}`,
    ],
    [
      "seller alerts (order-dependent)",
      `expected ${report.sellerAlerts.expected}, received ${report.sellerAlerts.received}, differing ${report.sellerAlerts.differing}`,
    ],
    ["state mismatches", String(report.stateMismatches)],
    [
      "rejected",
      `expected ${report.rejected.expected}, received ${report.rejected.received}, differing ${report.rejected.differing}`,
    ],
    ["uncommitted partitions", String(report.uncommittedPartitions)],
    ["runtime crashes", String(report.crashes.length)],
    ["recovery (s)", report.recoverySeconds.map((s) => s ?? "never").join(" ") || "none"],
    [
      "runtime RSS",
      `peak ${report.peakRssMiB} MiB` +
        (report.rss.slopeMiBPerHour === undefined
          ? ""
          : `, ${report.rss.slopeMiBPerHour.toFixed(0)} MiB/h over its longest life`),
    ],
    ["took", `${report.seconds} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
  for (const mismatch of report.mismatches) console.log(`  mismatch: ${mismatch}`);
  for (const failure of report.failures) console.log(`  failed: ${failure}`);
}
