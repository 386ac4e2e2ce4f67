import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { EMULATORS, type Emulator } from "../../lib/emulator/adapt-template";
import type { EmulatorTarget } from "../../local/cdk-cli";
import { LOCAL_REGION } from "../../local/services/endpoints";
import { EMULATOR_ACCOUNT, startMotoServer } from "../../local/services/moto-server";

const ROOT = join(import.meta.dirname, "..", "..");

/** An emulator to deploy to: the one `AWS_ENDPOINT_URL` names (e.g. LocalStack), else a moto server we start. */
export interface RunningTarget extends EmulatorTarget {
  stop(): Promise<void>;
}

// Read once: an emulator someone runs (LocalStack, or their own moto with TWS_EMULATOR=moto), and its rules.
const REGION = process.env.AWS_REGION ?? LOCAL_REGION;
const EXTERNAL_ENDPOINT = process.env.AWS_ENDPOINT_URL;
const EXTERNAL_EMULATOR = process.env.TWS_EMULATOR ?? "localstack";

/** The emulator at `AWS_ENDPOINT_URL`, with the rules `TWS_EMULATOR` names (LocalStack's by default); else moto's server. */
export async function startEmulatorTarget(): Promise<RunningTarget> {
  if (EXTERNAL_ENDPOINT) {
    if (!EMULATORS.includes(EXTERNAL_EMULATOR as Emulator))
      throw new Error(`TWS_EMULATOR must be one of ${EMULATORS.join(", ")}, got ${EXTERNAL_EMULATOR}`);
    return {
      emulator: EXTERNAL_EMULATOR as Emulator,
      endpoint: EXTERNAL_ENDPOINT,
      account: EMULATOR_ACCOUNT,
      region: REGION,
      stop: async () => {},
    };
  }
  const moto = await startMotoServer();
  return {
    emulator: "moto",
    endpoint: moto.endpoint,
    account: EMULATOR_ACCOUNT,
    region: REGION,
    stop: () => moto.process.stop(),
  };
}

/** SDK client settings for the target, with the emulator's fake credentials. */
export function clientConfig(target: EmulatorTarget) {
  return {
    endpoint: target.endpoint,
    region: target.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
}

export interface SuiteRun {
  readonly exitCode: number;
  readonly passed: number;
  readonly failed: number;
  readonly failedFiles: readonly string[];
}

/**
 * Runs vitest projects (e.g. `integration`) in a child process against the deployed stack: the tier's global
 * setup sees `AWS_ENDPOINT_URL` and starts no emulator of its own, and `createTestStack()` returns the deployed
 * resources. One file at a time, in path order (vitest.deployed.config.ts): the files share one stack.
 */
export async function runSuitesAgainstDeployedStack(
  target: EmulatorTarget,
  run: { stackName: string; projects: readonly string[]; testNamePattern: string; report: string },
): Promise<SuiteRun> {
  const reportFile = join(ROOT, run.report);
  rmSync(reportFile, { force: true });
  const args = [
    "run",
    "--config",
    "vitest.deployed.config.ts",
    ...run.projects.flatMap((project) => ["--project", project]),
    `--testNamePattern=${run.testNamePattern}`,
  ];
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      join(ROOT, "node_modules", ".bin", "vitest"),
      [...args, "--reporter=default", "--reporter=json", `--outputFile.json=${run.report}`],
      {
        cwd: ROOT,
        stdio: ["ignore", "inherit", "inherit"],
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: target.endpoint,
          AWS_REGION: target.region,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          TWS_DEPLOYED_STACK: run.stackName,
        },
      },
    );
    child.once("error", reject);
    child.once("exit", (code) => resolve(code ?? 1));
  });
  if (!existsSync(reportFile)) return { exitCode, passed: 0, failed: 1, failedFiles: ["(no report)"] };
  const json = JSON.parse(readFileSync(reportFile, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { name: string; status: string }[];
  };
  return {
    exitCode,
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    failedFiles: json.testResults.filter((file) => file.status === "failed").map((file) => file.name),
  };
}
