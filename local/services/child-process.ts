import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A service process that dies with its parent, even when the parent is killed with SIGKILL. */
export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
  exited(): boolean;
  /** The last lines the service printed (stdout and stderr), for telling why it stopped. */
  output(): string;
  /** The first line the service prints that matches `pattern`; fails if it exits or `timeoutMs` passes first. */
  printed(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

/** How much of a service's output `output()` keeps. */
const OUTPUT_TAIL_CHARS = 64_000;

export const LOG_DIR = join(process.cwd(), ".cache", "logs");

// A bash guard reads our stdin: when this process ends for any reason the pipe closes and the guard kills
// the service, so no stray JVM or emulator outlives a test run.
const GUARD = `"$@" & svc=$!
trap 'kill -TERM $svc 2>/dev/null; wait $svc 2>/dev/null; exit 0' TERM INT
while read -r _; do :; done
kill -TERM $svc 2>/dev/null
for _ in $(seq 1 50); do kill -0 $svc 2>/dev/null || exit 0; sleep 0.1; done
kill -KILL $svc 2>/dev/null
exit 0`;

export function startServiceProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ServiceProcess {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}-${process.pid}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn("bash", ["-c", GUARD, "guard", command, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let tail = "";
  const watchers = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let done = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exit.then(() => {
    done = true;
  });
  // Output can still arrive after the exit; "close" comes once both pipes are drained.
  let closed = false;
  child.once("close", () => {
    closed = true;
    for (const watcher of watchers) watcher();
  });
  // The guard must not keep the parent's event loop alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void })?.unref?.();
  (child.stdout as unknown as { unref?: () => void })?.unref?.();
  (child.stderr as unknown as { unref?: () => void })?.unref?.();
  return {
    name,
    pid: child.pid ?? -1,
    logFile,
    exited: () => done,
    output: () => tail,
    printed(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        // Not unref'd: the service's pipes are, and this wait must keep the process alive.
        const timer = setTimeout(() => {
          watchers.delete(look);
          reject(new Error(`${name} printed no ${pattern} within ${timeoutMs} ms (log: ${logFile})`));
        }, timeoutMs);
        const look = () => {
          // Whole lines only: a chunk can end in the middle of one.
          const line = tail
            .split("\n")
            .slice(0, closed ? undefined : -1)
            .find((candidate) => pattern.test(candidate));
          const match = line === undefined ? null : pattern.exec(line);
          if (match) {
            watchers.delete(look);
            clearTimeout(timer);
            resolve(match);
          } else if (closed) {
            watchers.delete(look);
            clearTimeout(timer);
            reject(new Error(`${name} exited without printing ${pattern} (log: ${logFile})`));
          }
        };
        watchers.add(look);
        look();
      });
    },
    async stop() {
      if (done) return;
      child.stdin?.end();
      await Promise.race([exit, sleep(8000)]);
      if (!done) child.kill("SIGKILL");
      log.end();
    },
  };
}
