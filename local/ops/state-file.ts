import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LocalComponent, LocalStackContext } from "../local-stack";
import type { LocalResource } from "../resources";
import type { ServiceEndpoints } from "../services/endpoints";

/**
 * How `npm run ops` finds the stack `npm start` runs: npm start writes this file (git-ignored) when it is up
 * and refreshes its progress every 5 s; ops reads it. Nothing else can see an embedded log's offsets or a
 * partition's stall, so they travel in the file too.
 */
export const LOCAL_STACK_STATE_PATH =
  process.env.TWS_LOCAL_STACK_STATE ?? join(import.meta.dirname, "..", "..", ".cache", "local-stack.json");

export interface PartitionProgress {
  readonly partition: number;
  /** The consumer group's committed offset: the next record it applies. */
  readonly committed: number;
  /** The partition's end offset. */
  readonly end: number;
  /** Set while its batch keeps failing: since when, and the last error. */
  readonly stalledSince?: string;
  readonly stallReason?: string;
}

export interface LocalStackState {
  readonly pid: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly endpoints: ServiceEndpoints;
  readonly embedded: boolean;
  readonly resources: Record<string, LocalResource>;
  /** Per event source mapping (function logical id): its topic, group and partitions. */
  readonly mappings: readonly {
    readonly functionLogicalId: string;
    readonly topic: string;
    readonly group: string;
    readonly partitions: readonly PartitionProgress[];
  }[];
  readonly lastAlert?: { readonly alertType: string; readonly subjectId: string; readonly eventTime: string };
}

/** Thrown when no local stack is running (no state file, or its process is gone). */
export class NoLocalStackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NoLocalStackError";
  }
}

/** The running local stack's state, or a NoLocalStackError that says how to start one. */
export function readLocalStackState(path = LOCAL_STACK_STATE_PATH): LocalStackState {
  let state: LocalStackState;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as LocalStackState;
  } catch (error) {
    throw new NoLocalStackError(
      `no local stack is running (${path} is missing): run \`npm start\`, or pass --stack NAME`,
      {
        cause: error,
      },
    );
  }
  try {
    process.kill(state.pid, 0);
  } catch (error) {
    throw new NoLocalStackError(
      `the local stack of ${path} (pid ${state.pid}) is no longer running: run \`npm start\``,
      {
        cause: error,
      },
    );
  }
  return state;
}

async function snapshot(
  context: LocalStackContext,
  startedAt: string,
  embedded: boolean,
  lastAlert?: LocalStackState["lastAlert"],
) {
  const stalls = context.runtime.stalls();
  const mappings = [];
  for (const source of context.runtime.eventSources) {
    const { definition } = source;
    for (const topic of definition.topics) {
      const ends = await context.log.endOffsets(topic);
      const partitions: PartitionProgress[] = [];
      for (const [partition, end] of ends.entries()) {
        const committed = (await context.log.committed(definition.consumerGroupId, topic, partition)) ?? 0;
        const stall = stalls.find((s) => s.topic === topic && s.partition === partition);
        partitions.push({
          partition,
          committed,
          end,
          ...(stall ? { stalledSince: stall.since.toISOString(), stallReason: stall.reason } : {}),
        });
      }
      mappings.push({
        functionLogicalId: definition.functionLogicalId,
        topic,
        group: definition.consumerGroupId,
        partitions,
      });
    }
  }
  const state: LocalStackState = {
    pid: process.pid,
    startedAt,
    updatedAt: new Date().toISOString(),
    endpoints: context.services.endpoints,
    embedded,
    resources: Object.fromEntries(context.resources.byLogicalId),
    mappings,
    ...(lastAlert ? { lastAlert } : {}),
  };
  return state;
}

/** The `npm start` component that keeps the state file for `npm run ops`; removed on stop. */
export function opsStateComponent(options: { embedded: boolean; path?: string }): LocalComponent & {
  alert(alert: NonNullable<LocalStackState["lastAlert"]>): void;
} {
  const path = options.path ?? LOCAL_STACK_STATE_PATH;
  let lastAlert: LocalStackState["lastAlert"];
  return {
    name: `ops state file ${path}`,
    alert(alert) {
      lastAlert = { alertType: alert.alertType, subjectId: alert.subjectId, eventTime: alert.eventTime };
    },
    async start(context) {
      const startedAt = new Date().toISOString();
      mkdirSync(dirname(path), { recursive: true });
      const write = async () => {
        const state = await snapshot(context, startedAt, options.embedded, lastAlert);
        // Written aside and renamed, so that a reader never sees half a file.
        writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
        renameSync(`${path}.tmp`, path);
      };
      await write();
      let writing = Promise.resolve();
      const timer = setInterval(() => {
        writing = writing.then(write).catch(() => {});
      }, 5_000);
      return {
        async stop() {
          clearInterval(timer);
          await writing;
          rmSync(path, { force: true });
        },
      };
    },
  };
}
