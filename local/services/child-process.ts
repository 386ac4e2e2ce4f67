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
}

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
  let done = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exit.then(() => {
    done = true;
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
    async stop() {
      if (done) return;
      child.stdin?.end();
      await Promise.race([exit, sleep(8000)]);
      if (!done) child.kill("SIGKILL");
      log.end();
    },
  };
}
