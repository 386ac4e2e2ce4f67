import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLocalStack, startLocalStack } from "../../local/local-stack";
import { type LocalStackState, opsStateComponent } from "../../local/ops/state-file";
import type { StackStatus } from "../../local/ops/status";

const run = promisify(execFile);
const TOPIC = "theworldshop.inventory";
const statePath = join(mkdtempSync(join(tmpdir(), "ops-")), "local-stack.json");

const stock = (i: number, quantity: number) => ({
  key: `P-${i}`,
  value: JSON.stringify({
    eventId: `E-${i}`,
    productId: `P-${i}`,
    quantity,
    eventTime: new Date(Date.UTC(2026, 10, 20, 23, 0, i)).toISOString(),
  }),
  partition: 0,
  timestamp: Date.UTC(2026, 10, 20, 23, 0, i),
});

describe("npm run ops -- status --json on the running local stack", () => {
  let stack: RunningLocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      embedded: true,
      partitions: 1,
      components: [opsStateComponent({ embedded: true, path: statePath })],
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("reports the lag and the rejected records the test produced", { timeout: 120_000 }, async () => {
    // Five snapshots, two of them invalid (negative quantity): applied, and rejected onto the queue.
    await stack.log.produce(TOPIC, [stock(0, 5), stock(1, -1), stock(2, 7), stock(3, -2), stock(4, 9)]);
    await stack.runtime.caughtUp();
    // The inventory mapping stops; three more records wait behind it.
    const inventory = stack.runtime.eventSources.find((source) => source.definition.topics.includes(TOPIC))!;
    await inventory.stop();
    await stack.log.produce(TOPIC, [stock(5, 1), stock(6, 2), stock(7, 3)]);
    await expect
      .poll(
        () => {
          const state = JSON.parse(readFileSync(statePath, "utf8")) as LocalStackState;
          return state.mappings.find((m) => m.topic === TOPIC)?.partitions[0];
        },
        { timeout: 30_000, interval: 500 },
      )
      .toMatchObject({ committed: 5, end: 8 });

    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "local/ops/cli.ts", "status", "--json"],
      {
        env: { ...process.env, TWS_LOCAL_STACK_STATE: statePath },
      },
    );
    const status = JSON.parse(stdout) as StackStatus;

    expect(status.stack).toBe("local");
    expect(status.consumers.find((c) => c.consumer === "inventory")).toMatchObject({
      topic: TOPIC,
      partitions: [{ partition: 0, committed: 5, end: 8, lag: 3 }],
      lag: 3,
      stalledPartitions: [],
      rejected: 2,
    });
  });
});
