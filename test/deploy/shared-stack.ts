/**
 * Integration tests that need tables of their own, and so do not run against the one deployed stack every test
 * file shares (docs/localstack.md). Each runs in `npm test`, against its private copy of the stack. A new
 * integration test that assumes tables no other test touches belongs here, with why.
 */
export const NEEDS_ITS_OWN_STACK = [
  {
    test: "flags the same transactions and raises the same alerts whether delivered once, re-batched or redelivered",
    why: "compares the whole decisions table, where decisions-api.test.ts flagged transactions too",
  },
  {
    test: "publishes one critical CARD_VELOCITY alert per burst, about the card",
    why: "the test before it put the same card's burst into the shared card windows table",
  },
  {
    test: "is rejected with its coordinates and masked, nowhere logged in full, and the partition goes on",
    why: "compares the card's whole window, where earlier tests left transactions of the same card",
  },
  {
    test: "ends in the same state with each alert published once when every batch is delivered twice",
    why: "replays the spike the first inventory tests applied to the shared availability table: all fenced, no alert",
  },
  {
    test: "ends in the same state with the same alert ids whatever the batch size, overlapping retries included",
    why: "replays the spike the first inventory tests applied to the shared availability table: all fenced, no alert",
  },
  {
    test: "counts 10,000 orders of one minute from 6 partitions' concurrent invocations exactly",
    why: "counts every order of 23:03 in the orders table, where other orders tests count theirs; 90 s on moto",
  },
  {
    test: "gives the same counts and alerts when writes fail or lose DynamoDB's answer after applying",
    why: "runs the same orders on two fresh stacks; on the shared one the second run is all fenced",
  },
  {
    test: "sums every partition's shard of each of the last N minutes, oldest first, zeros where nothing happened",
    why: "reads the 23:03 shards, which the other orders tests filled in the shared orders table",
  },
  {
    test: "reads all 2880 minutes of 48 hours across more keys than one BatchGetItem takes",
    why: "reads the 23:03 shards, which the other orders tests filled in the shared orders table",
  },
  {
    test: "answers GET /orders-per-minute?minutes=N with the last N minutes",
    why: "reads the 23:03 shards, which the other orders tests filled in the shared orders table",
  },
  {
    test: "counts 200 active sessions and ends each exactly once",
    why: "counts every active session in the sessions state table, where the other sweeper tests' sessions are too",
  },
  {
    test: "round-trips an item and refuses a conditional write against a stale version",
    why: "writes P-123 into the availability table, where inventory.test.ts keeps its P-123",
  },
  {
    test: "reads the newest alerts first, across the day boundary, up to the limit",
    why: "counts the newest alerts of the alert log, where every other suite's alerts land on the shared stack",
  },
  {
    test: "counts the transactions flagged in the last hour, newest first",
    why: "counts every decision of the hour in the decisions table the card-velocity tests fill too",
  },
  {
    test: "shows the alerts the consumers published, newest first, without their details",
    why: "compares the newest alerts of the shared alert log, where the other suites' alerts are too",
  },
  {
    test: "ends an idle user's session exactly once, at its last click, however often the sweeper runs",
    why: "counts what one sweep ends, and on the shared stack the dashboard tests' sessions are due too",
  },
  {
    test: "loses to a click that extends the session between the sweeper's read and its write",
    why: "counts what one sweep ends, and on the shared stack the dashboard tests' sessions are due too",
  },
  {
    test: "every theworldshop:* setting a function reads reaches it through the synthesized environment",
    why: "synthesizes stacks with non-default settings and creates their tables itself: the deployed stack has its own settings only",
  },
  {
    test: "applies inventory records rejected by a strict schema once after the fix, also when each message came twice",
    why: "drains the whole rejected-records queue and compares whole items, where the other suites' records are too",
  },
  {
    test: "applies inventory records the engine itself rejected once after the fix; a second redrive applies nothing",
    why: "drains the whole rejected-records queue and compares whole items, where the other suites' records are too",
  },
  {
    test: "reports masked and cut records and never applies them; a record still invalid goes back with its new reason",
    why: "expects an availability table with nothing in it but what the redrive applied",
  },
  {
    test: "applies orders once per key when the redrive crashed half-way, then ran again racing live traffic",
    why: "drains the whole rejected-records queue, where the other suites' rejected records are too",
  },
  {
    test: "leaves the orders' minute counts and seller alerts as a run that never rejected them",
    why: "compares minute counts and alerts with a fresh run, where the other orders tests count theirs",
  },
  {
    test: "is rejected with the schema's reason, the partition is not reported failed, and its later orders are applied",
    why: "drains the whole rejected-records queue, where the other suites' rejected records are too",
  },
  {
    test: "lists the products out of stock, then those low on stock, newest report first",
    why: "lists every LOW/OUT product of the availability table, where the corpus and redrive suites' products are too",
  },
  {
    test: "counts the users with an active session now",
    why: "counts every active session of the sessions table, where the corpus suite's clicks opened sessions too",
  },
] as const;

/** A vitest `--testNamePattern` that runs every test but those above. */
export function sharedStackTestPattern(): string {
  const names = NEEDS_ITS_OWN_STACK.map(({ test }) => test.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return `^(?!.*(${names.join("|")})).*$`;
}
