import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ServiceProcess, startServiceProcess } from "./child-process";
import { freePort, waitUntil } from "./wait";

/** The account moto's resources live in: the one LocalStack uses, so ARNs look alike on both. */
export const EMULATOR_ACCOUNT = "000000000000";

const PYTHON = join(import.meta.dirname, "..", "..", ".tools", "moto-venv", "bin", "python");
const LAUNCHER = join(import.meta.dirname, "moto_server.py");

export interface RunningMoto {
  /** One endpoint for every AWS service moto emulates. */
  readonly endpoint: string;
  readonly process: ServiceProcess;
}

/**
 * Starts moto's server (installed by scripts/install-moto.sh) on a free loopback port, one request at a time
 * (moto_server.py says why).
 */
export async function startMotoServer(): Promise<RunningMoto> {
  if (!existsSync(PYTHON))
    throw new Error(`moto is not installed: no ${PYTHON}; run bash scripts/install-moto.sh`);
  const port = await freePort();
  const proc = startServiceProcess("moto", PYTHON, [LAUNCHER, "127.0.0.1", String(port)], {
    env: { MOTO_ACCOUNT_ID: EMULATOR_ACCOUNT, MOTO_PORT: String(port) },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      "moto",
      async () => {
        const response = await fetch(`${endpoint}/moto-api/`);
        if (!response.ok) throw new Error(`moto answered ${response.status}`);
      },
      { timeoutMs: 60_000, alive: () => !proc.exited() },
    );
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { endpoint, process: proc };
}
