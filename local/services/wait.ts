import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it resolves, or fails with the last error after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<unknown>,
  {
    timeoutMs = 60_000,
    intervalMs = 200,
    alive = () => true,
  }: { timeoutMs?: number; intervalMs?: number; alive?: () => boolean } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what} exited before it became healthy`, { cause: lastError });
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what} was not healthy within ${timeoutMs} ms`, { cause: lastError });
}
