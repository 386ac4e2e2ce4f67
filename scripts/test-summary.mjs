// Prints the closing line CI reads, "N passed, N failed", from vitest's JSON report.
// A test file that failed before any of its tests ran (an import error, a failed hook) counts as one failure.
import { existsSync, readFileSync } from "node:fs";

const file = process.argv[2] ?? "test-output/vitest.json";
if (!existsSync(file)) {
  console.error(`no test report at ${file}: the test run did not finish`);
  console.log("0 passed, 1 failed");
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, "utf8"));
const brokenFiles = (report.testResults ?? []).filter(
  (suite) =>
    suite.status === "failed" && !(suite.assertionResults ?? []).some((test) => test.status === "failed"),
).length;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed`);
