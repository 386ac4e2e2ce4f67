// Prints the closing line CI reads, "N passed, N failed", summed over one or more vitest JSON reports
// (`npm test`'s and the deploy run's). A test file that failed before any of its tests ran (an import error,
// a failed hook) counts as one failure; so does a report that is missing because its run did not finish.
import { existsSync, readFileSync } from "node:fs";

const files = process.argv.length > 2 ? process.argv.slice(2) : ["test-output/vitest.json"];
let passed = 0;
let failed = 0;
for (const file of files) {
  if (!existsSync(file)) {
    console.error(`no test report at ${file}: the test run did not finish`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  const brokenFiles = (report.testResults ?? []).filter(
    (suite) =>
      suite.status === "failed" && !(suite.assertionResults ?? []).some((test) => test.status === "failed"),
  ).length;
  passed += report.numPassedTests;
  failed += report.numFailedTests + brokenFiles;
}
console.log(`${passed} passed, ${failed} failed`);
