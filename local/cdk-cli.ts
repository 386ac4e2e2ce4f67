import { execFile } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Emulator } from "../lib/emulator/adapt-template";
import { EMULATOR_CONTEXT } from "../lib/emulator/synthesizer";
import { LOG_DIR } from "./services/child-process";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const CDK = join(ROOT, "node_modules", ".bin", "cdk");

/** An AWS emulator the CDK CLI deploys to. */
export interface EmulatorTarget {
  readonly emulator: Emulator;
  /** The emulator's single endpoint, as `AWS_ENDPOINT_URL` takes it. */
  readonly endpoint: string;
  readonly account: string;
  readonly region: string;
}

/** Thrown when a CDK CLI command fails; the message ends with the tail of its output. */
export class CdkCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CdkCommandError";
  }
}

/**
 * The environment that points the CDK CLI (and the app it synthesizes) at the emulator, with the
 * emulator's fake credentials: never an AWS profile or session, so nothing can reach a real account.
 */
export function cdkEnvironment(target: EmulatorTarget): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: target.endpoint,
    // CloudFormation gets the template as a URL in the assets bucket; moto takes bucket and key from the
    // path only when the host is `localhost`, and the CLI builds that URL from this variable.
    AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: target.endpoint.replace("//127.0.0.1:", "//localhost:"),
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: target.region,
    AWS_DEFAULT_REGION: target.region,
    CDK_DEFAULT_ACCOUNT: target.account,
    CDK_DEFAULT_REGION: target.region,
    CDK_DISABLE_CLI_TELEMETRY: "true",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const name of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"])
    delete env[name];
  return env;
}

async function cdk(target: EmulatorTarget, args: readonly string[]): Promise<string> {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = join(LOG_DIR, `cdk-${process.pid}.log`);
  appendFileSync(log, `\n$ cdk ${args.join(" ")}\n`);
  try {
    const { stdout, stderr } = await run(CDK, [...args, "--no-notices", "--ci"], {
      cwd: ROOT,
      env: cdkEnvironment(target),
      maxBuffer: 64 * 1024 * 1024,
    });
    appendFileSync(log, stdout + stderr);
    return stdout + stderr;
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
    appendFileSync(log, output);
    const tail = output.trim().split("\n").slice(-15).join("\n");
    throw new CdkCommandError(`cdk ${args[0]} against ${target.endpoint} failed (log: ${log}):\n${tail}`, {
      cause: error,
    });
  }
}

/** Synthesizes the app for the emulator (context `theworldshop:emulator`) into `outdir`, bundling the functions. */
export function synthesizeForEmulator(target: EmulatorTarget, outdir: string): Promise<string> {
  return cdk(target, [
    "synth",
    "--quiet",
    "--output",
    outdir,
    "--context",
    `${EMULATOR_CONTEXT}=${target.emulator}`,
  ]);
}

/** `cdk bootstrap`: the CDKToolkit stack with the assets bucket, in the emulator's account and region. */
export function bootstrap(target: EmulatorTarget, assembly: string): Promise<string> {
  return cdk(target, ["bootstrap", `aws://${target.account}/${target.region}`, "--app", assembly]);
}

/** `cdk deploy` of the synthesized assembly: publishes its assets to the bootstrap bucket, then deploys. */
export function deploy(target: EmulatorTarget, assembly: string, stackName: string): Promise<string> {
  return cdk(target, ["deploy", stackName, "--app", assembly, "--require-approval", "never"]);
}

/** `cdk destroy --force` of the deployed stack. */
export function destroy(target: EmulatorTarget, assembly: string, stackName: string): Promise<string> {
  return cdk(target, ["destroy", stackName, "--app", assembly, "--force"]);
}
