import { defineConfig } from "vitest/config";

// `npm run test:chaos`: a two-minute `npm run chaos` with every kind of fault (kill -9, broker restart,
// throttling, rebalance), its invariants asserted. Its own report, so that CI's closing line adds it.
export default defineConfig({
  test: {
    include: ["test/chaos/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-output/vitest-chaos.json" },
    testTimeout: 20 * 60_000,
  },
});
