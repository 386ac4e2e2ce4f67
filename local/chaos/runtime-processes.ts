import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_DIR } from "../services/child-process";
import type { ChildMessage, ParentMessage } from "./messages";

const ENTRY = join(import.meta.dirname, "runtime-process.ts");
/** Start-up takes 3–5 s here (tsx, the consumers joining their groups); this is for a process that hangs. */
const READY_TIMEOUT_MS = 120_000;

/** One runtime process of a chaos run: started, told about faults, killed or stopped. */
export class RuntimeProcess {
  private readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  readonly startedAt = Date.now();
  private ended = false;
  /** Set when the run kills or stops this process (or arms it to kill itself); any other exit is a crash. */
  private exitExpected = false;
  /** The exit code or signal of an exit the run did not cause, once there is one. */
  unexpectedExit?: string;

  constructor(configFile: string, name: string) {
    const logFile = join(LOG_DIR, `chaos-${name}-${process.pid}.log`);
    const log = openSync(logFile, "a");
    this.child = spawn(process.execPath, ["--import", "tsx", ENTRY, configFile], {
      stdio: ["ignore", log, log, "ipc"],
      env: process.env,
    });
    closeSync(log);
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        this.ended = true;
        if (!this.exitExpected) this.unexpectedExit = `${name} exited (${signal ?? code}); see ${logFile}`;
        resolve(code);
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      // A process stuck in its start-up (a consumer that never joins) must not hang the run.
      const timer = setTimeout(() => {
        reject(
          new Error(`runtime process ${name} not ready after ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`),
        );
        void this.kill();
      }, READY_TIMEOUT_MS);
      this.child.on("message", (message: ChildMessage) => {
        if (message.type !== "ready") return;
        clearTimeout(timer);
        resolve();
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`runtime process ${name} exited (${code}) before it was ready; see ${logFile}`));
      });
    });
    this.ready.catch(() => {});
    // A send to a process that has just died reports EPIPE here; its exit is what the run acts on.
    this.child.on("error", (error) => console.error(`chaos: runtime process ${name}: ${error.message}`));
  }

  /** The next exit is the run's doing (an armed kill): not a crash. */
  expectExit(): void {
    this.exitExpected = true;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return !this.ended;
  }

  tell(message: ParentMessage): void {
    if (this.alive && this.child.connected) this.child.send(message, () => {});
  }

  /** SIGKILL, as the OOM killer or a lost host does: nothing runs after it. */
  async kill(): Promise<void> {
    this.exitExpected = true;
    if (this.alive) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM: the runtime stops its pollers and leaves its consumer groups. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.alive) return;
    this.exitExpected = true;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident memory in MiB, from /proc (Linux); undefined once the process is gone. */
  rssMiB(): number | undefined {
    if (!this.alive) return undefined;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
      const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
      return kib === undefined ? undefined : Number(kib) / 1024;
    } catch {
      return undefined;
    }
  }
}
