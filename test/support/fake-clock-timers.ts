/**
 * `node:timers/promises` as the engine uses it, on the global timers. vitest's fake timers replace the globals
 * but do not reach `node:timers/promises`; a unit test whose subject is time mocks that module with this one:
 * `vi.mock("node:timers/promises", () => import("../../support/fake-clock-timers"))`.
 */
export function setTimeout<T = void>(delay?: number, value?: T): Promise<T> {
  return new Promise((resolve) => globalThis.setTimeout(() => resolve(value as T), delay));
}
