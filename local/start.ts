import { parseArgs } from "node:util";
import { dashboardComponent } from "./dashboard-server";
import type { LocalComponent } from "./local-stack";
import { startLocalStack } from "./local-stack";
import { opsStateComponent } from "./ops/state-file";
import { simulatorComponent } from "./simulator/component";

// `npm start [-- --embedded]`: the local services, the stack's resources from the synthesized template, the
// Kafka topics, every consumer behind its local event source mapping, the schedules, and the alerts as they
// arrive. Extra components (the traffic simulator, the dashboard) go in COMPONENTS; the ops state file tells
// `npm run ops` where the stack runs.

// CloudWatch's EMF lines would drown the alerts on a terminal; POWERTOOLS_METRICS_DISABLED=false brings them back.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

const { values } = parseArgs({ options: { embedded: { type: "boolean", default: false } } });
const opsState = opsStateComponent({ embedded: values.embedded });
const COMPONENTS: readonly LocalComponent[] = [simulatorComponent(), dashboardComponent, opsState];
let stopping = false;
let stopStack: (() => Promise<void>) | undefined;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping…");
  await stopStack?.();
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
try {
  const stack = await startLocalStack({
    embedded: values.embedded,
    components: COMPONENTS,
    onAlert: (alert) => {
      opsState.alert(alert);
      console.log(`ALERT ${alert.alertType} ${alert.subjectId} at ${alert.eventTime}: ${alert.message}`);
    },
    onError: (error, where) => console.error(`${where}:`, error instanceof Error ? error.message : error),
  });
  stopStack = stack.stop;
  console.log("TheWorldShop streaming, running locally:");
  for (const line of stack.description) console.log(`  ${line}`);
  console.log("Press Ctrl-C to stop.");
} catch (error) {
  console.error(error);
  await stop(1);
}
