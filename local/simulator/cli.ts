import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SCENARIOS, type Scenario, TrafficSimulator } from "./traffic";

// `npm run simulate -- --minutes 40 --out events.jsonl`: a replay input file of TheWorldShop's traffic.
const { values } = parseArgs({
  options: {
    out: { type: "string", default: "events.jsonl" },
    minutes: { type: "string", default: "40" },
    visits: { type: "string", default: "5" },
    seed: { type: "string", default: "1" },
    scenarios: { type: "string", default: SCENARIOS.join(",") },
    start: { type: "string", default: "2026-11-20T23:00:00.000Z" },
  },
});
const number = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got ${values[name]}`);
  return value;
};
const scenarios = String(values.scenarios)
  .split(",")
  .filter(Boolean)
  .map((name) => {
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`--scenarios: unknown scenario ${name}; known: ${SCENARIOS.join(", ")}`);
    return name as Scenario;
  });
const start = Date.parse(String(values.start));
if (Number.isNaN(start)) throw new Error(`--start must be an ISO-8601 time, got ${values.start}`);
const simulator = new TrafficSimulator({
  seed: number("seed"),
  start,
  visitsPerSecond: number("visits"),
  scenarios,
});
const records = simulator.eventsUntil(start + number("minutes") * 60_000);
writeFileSync(String(values.out), `${records.map((record) => JSON.stringify(record)).join("\n")}\n`);
console.log(`wrote ${records.length} records over ${values.minutes} minutes of event time to ${values.out}`);
