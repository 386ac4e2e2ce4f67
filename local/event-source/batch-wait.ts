import { setTimeout as sleep } from "node:timers/promises";

/** A promise that resolves on the next `notify()`; waiting on it registers no listener, so nothing leaks. */
export class Notifier {
  private next = deferred();

  /** Resolves at the next notification. */
  changed(): Promise<void> {
    return this.next.promise;
  }

  notify(): void {
    const current = this.next;
    this.next = deferred();
    current.resolve();
  }
}

/**
 * Waits for a batch the way the event source mapping's batching window does: until `count()` reaches `max`,
 * or `windowMs` after a first record was there; with nothing there, until something arrives or `signal`
 * aborts.
 */
export async function waitForBatch(
  count: () => number,
  notifier: Notifier,
  max: number,
  windowMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const stop = abortion(signal);
  try {
    while (count() === 0 && !signal?.aborted) await Promise.race([notifier.changed(), stop.promise]);
    if (count() >= max || windowMs <= 0) return;
    const window = new AbortController();
    const elapsed = sleep(windowMs, undefined, { signal: window.signal }).catch(() => {});
    try {
      let closed = false;
      void elapsed.then(() => {
        closed = true;
      });
      while (count() < max && !closed && !signal?.aborted) {
        await Promise.race([notifier.changed(), elapsed, stop.promise]);
      }
    } finally {
      window.abort();
    }
  } finally {
    stop.dispose();
  }
}

function abortion(signal?: AbortSignal): { promise: Promise<void>; dispose(): void } {
  if (!signal) return { promise: new Promise(() => {}), dispose() {} };
  const { promise, resolve } = deferred();
  const onAbort = () => resolve();
  if (signal.aborted) resolve();
  else signal.addEventListener("abort", onAbort, { once: true });
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
