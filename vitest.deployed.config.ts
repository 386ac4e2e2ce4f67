import { mergeConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import base from "./vitest.config";

/** Test files in path order: against one shared stack a test sees what earlier files left there, so fix the order. */
class PathOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

// The test tiers as vitest.config.ts defines them, for a run against a deployed stack (TWS_DEPLOYED_STACK) that
// every test file shares: one file at a time, always in the same order.
export default mergeConfig(base, {
  test: { fileParallelism: false, sequence: { sequencer: PathOrder } },
});
