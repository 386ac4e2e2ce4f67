import { defineConfig } from "vitest/config";

// `npm run test:deploy` / `test:localstack`: bootstrap, deploy and destroy the stack on an AWS emulator with the
// CDK CLI, and run the integration (and for LocalStack e2e) suites against the deployed stack in between.
// Its own report, so that CI's closing line adds it to `npm test`'s (scripts/test-summary.mjs).
export default defineConfig({
  test: {
    include: ["test/deploy/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-output/vitest-deploy.json" },
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
