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
 * or `windowMs` after a first record was there; with nothing there, until something arrives or one of
 * `signals` aborts.
 */
export async function waitForBatch(
  count: () => number,
  notifier: Notifier,
  max: number,
  windowMs: number,
  ...signals: readonly (AbortSignal | undefined)[]
): Promise<void> {
  const stop = abortion(signals);
  try {
    while (count() === 0 && !stop.aborted()) await Promise.race([notifier.changed(), stop.promise]);
    if (count() >= max || windowMs <= 0) return;
    const window = new AbortController();
    const elapsed = sleep(windowMs, undefined, { signal: window.signal }).catch(() => {});
    try {
      let closed = false;
      void elapsed.then(() => {
        closed = true;
      });
      while (count() < max && !closed && !stop.aborted()) {
        await Promise.race([notifier.changed(), elapsed, stop.promise]);
      }
    } finally {
      window.abort();
    }
  } finally {
    stop.dispose();
  }
}

/**
 * A promise that resolves once any of `signals` aborts. A listener of its own on each signal, removed by
 * `dispose`: `AbortSignal.any` would do the same, but it keeps an entry for every call as long as its inputs
 * live (Node 22), and a reader's signals live for hours of fetches.
 */
export function abortion(signals: readonly (AbortSignal | undefined)[]): {
  promise: Promise<void>;
  aborted(): boolean;
  dispose(): void;
} {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const { promise, resolve } = deferred();
  const onAbort = () => resolve();
  const aborted = () => present.some((signal) => signal.aborted);
  if (aborted()) resolve();
  else for (const signal of present) signal.addEventListener("abort", onAbort, { once: true });
  return {
    promise,
    aborted,
    dispose: () => {
      for (const signal of present) signal.removeEventListener("abort", onAbort);
    },
  };
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
