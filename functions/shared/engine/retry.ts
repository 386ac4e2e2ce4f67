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

/** Runs `call`, retrying transient errors with capped exponential backoff and full jitter inside the budget. */
export async function withRetry<T>(what: string, call: () => Promise<T>, budget: RetryBudget): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const delay = Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
      if (Date.now() + delay >= budget.deadline) throw new TimeBudgetExceededError(what, { cause: error });
      budget.onRetry?.(error);
      await sleep(delay);
    }
  }
}
