/**
 * Integration tests that need tables of their own and so cannot run against the one deployed stack that every
 * test file shares (see docs/localstack.md). Each still runs in `npm test`, against its private copy.
 */
export const NEEDS_ITS_OWN_STACK = [
  {
    test: "counts 200 active sessions and ends each exactly once",
    why: "counts every active session in the sessions state table, where the other sweeper tests' sessions are too",
  },
] as const;

/** A vitest `--testNamePattern` that runs every test but those above. */
export function sharedStackTestPattern(): string {
  const names = NEEDS_ITS_OWN_STACK.map(({ test }) => test.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return `^(?!.*(${names.join("|")})).*$`;
}
