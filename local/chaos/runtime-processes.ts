import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_DIR } from "../services/child-process";
import type { ChildMessage, ParentMessage } from "./messages";

const ENTRY = join(import.meta.dirname, "runtime-process.ts");

/** One runtime process of a chaos run: started, told about faults, killed or stopped. */
export class RuntimeProcess {
  private readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  readonly startedAt = Date.now();
  private ended = false;

  constructor(configFile: string, name: string) {
    const logFile = join(LOG_DIR, `chaos-${name}-${process.pid}.log`);
    const log = openSync(logFile, "a");
    this.child = spawn(process.execPath, ["--import", "tsx", ENTRY, configFile], {
      stdio: ["ignore", log, log, "ipc"],
      env: process.env,
    });
    closeSync(log);
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        this.ended = true;
        resolve(code);
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      this.child.on("message", (message: ChildMessage) => {
        if (message.type === "ready") resolve();
      });
      void this.exited.then((code) =>
        reject(new Error(`runtime process ${name} exited (${code}) before it was ready; see ${logFile}`)),
      );
    });
    this.ready.catch(() => {});
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return !this.ended;
  }

  tell(message: ParentMessage): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  /** SIGKILL, as the OOM killer or a lost host does: nothing runs after it. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM: the runtime stops its pollers and leaves its consumer groups. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.alive) return;
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
