import { defineConfig } from "vitest/config";

// Four tiers: unit (no services), integration (DynamoDB Local + SNS/SQS), e2e (+ a real Kafka broker),
// cdk (template assertions). `npm test` runs them all; each tier's global setup starts what it needs.
export default defineConfig({
  test: {
    reporters: ["default", "json"],
    outputFile: { json: "test-output/vitest.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // A guard against hangs, not a budget: vitest's 5 s default failed the property and simulator tests,
          // CPU-bound and 3-5 s on a busy 2-core machine. No unit test's subject is wall time (fake timers are).
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/aws-services.setup.ts"],
          setupFiles: ["test/support/service-env.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/all-services.setup.ts"],
          setupFiles: ["test/support/service-env.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      { test: { name: "cdk", include: ["test/cdk/**/*.test.ts"], testTimeout: 120_000 } },
    ],
  },
});
