import { setTimeout as sleep } from "node:timers/promises";
import { isTransient, TimeBudgetExceededError } from "./errors";

/** How long an AWS call may keep being retried: until `deadline` (epoch ms) minus a safety margin. */
export interface RetryBudget {
  readonly deadline: number;
  /** Counts each retry, for metrics. */
  onRetry?: (error: unknown) => void;
}

const BASE_DELAY_MS = 25;
const MAX_DELAY_MS = 2_000;

/**
 * The engine's only retry layer (its SDK clients make one attempt, see clients.ts): runs `call`, retrying
 * transient errors with capped exponential backoff and full jitter inside the budget. Each attempt gets an
 * `AbortSignal` that fires at the deadline; pass it to `client.send(command, { abortSignal })` so the HTTP
 * request is cancelled, and the attempt is abandoned at the deadline even where the signal is not heeded.
 */
export async function withRetry<T>(
  what: string,
  call: (abortSignal: AbortSignal) => Promise<T>,
  budget: RetryBudget,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const remaining = budget.deadline - Date.now();
    if (remaining <= 0) throw new TimeBudgetExceededError(what);
    try {
      return await untilDeadline(what, call, remaining);
    } catch (error) {
      if (error instanceof TimeBudgetExceededError || !isTransient(error)) throw error;
      const delay = Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
      if (Date.now() + delay >= budget.deadline) throw new TimeBudgetExceededError(what, { cause: error });
      budget.onRetry?.(error);
      await sleep(delay);
    }
  }
}

/** One attempt of `call`, aborted after `ms`: a hung call ends as a `TimeBudgetExceededError`. */
async function untilDeadline<T>(
  what: string,
  call: (abortSignal: AbortSignal) => Promise<T>,
  ms: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeBudgetExceededError(`${what} (aborted at the deadline)`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
