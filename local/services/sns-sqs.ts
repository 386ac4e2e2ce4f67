import { createRequire } from "node:module";
import { join } from "node:path";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { type ServiceProcess, startServiceProcess } from "./child-process";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./endpoints";
import { freePort, waitUntil } from "./wait";

export interface RunningSnsSqs {
  readonly endpoint: string;
  readonly process: ServiceProcess;
}

/** Starts the fauxqs SNS/SQS emulator in its own Node process on a free loopback port. */
export async function startSnsSqs(): Promise<RunningSnsSqs> {
  const port = await freePort();
  const require = createRequire(import.meta.url);
  const tsx = require.resolve("tsx");
  const proc = startServiceProcess("fauxqs", process.execPath, [
    "--import",
    tsx,
    join(import.meta.dirname, "fauxqs-server.ts"),
    String(port),
  ]);
  const endpoint = `http://127.0.0.1:${port}`;
  const sns = new SNSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await waitUntil("fauxqs", () => sns.send(new ListTopicsCommand({})), {
      timeoutMs: 30_000,
      alive: () => !proc.exited(),
    });
  } catch (error) {
    await proc.stop();
    throw error;
  } finally {
    sns.destroy();
  }
  return { endpoint, process: proc };
}
