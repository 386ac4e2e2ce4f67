import { createRequire } from "node:module";
import { join } from "node:path";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { type ServiceProcess, startServiceProcess } from "./child-process";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./endpoints";
import { waitUntil } from "./wait";

export interface RunningSnsSqs {
  readonly endpoint: string;
  readonly process: ServiceProcess;
}

/**
 * Starts the fauxqs SNS/SQS emulator in its own Node process on a loopback port it binds itself (port 0: a port
 * chosen beforehand and bound later races every other process on the machine for it) and reads which from its
 * output.
 */
export async function startSnsSqs(): Promise<RunningSnsSqs> {
  const require = createRequire(import.meta.url);
  const tsx = require.resolve("tsx");
  const proc = startServiceProcess("fauxqs", process.execPath, [
    "--import",
    tsx,
    join(import.meta.dirname, "fauxqs-server.ts"),
    "0",
  ]);
  try {
    const [, endpoint] = await proc.printed(/^fauxqs listening on (http:\/\/127\.0\.0\.1:\d+)$/, 30_000);
    const sns = new SNSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await waitUntil("fauxqs", () => sns.send(new ListTopicsCommand({})), {
        timeoutMs: 30_000,
        alive: () => !proc.exited(),
      });
    } finally {
      sns.destroy();
    }
    return { endpoint: endpoint!, process: proc };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
