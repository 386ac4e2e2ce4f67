import { readFileSync } from "node:fs";
import { KafkaLog } from "../event-source/kafka-log";
import { FaultInjector, NO_FAULTS, snsInternalError, throttlingError } from "../faults";
import type { AwsCall, CallPlan } from "../lambda/scope";
import { type LocalResource, type LocalStackResources, resolveIntrinsics } from "../resources";
import { LocalRuntime } from "../runtime";
import { LOCAL_REGION, type ServiceEndpoints } from "../services/endpoints";
import type { CfnTemplate } from "../template";
import type { ChildMessage, KillMoment, ParentMessage } from "./messages";

// The local runtime as a process of its own, for `npm run chaos`: the parent kills it with SIGKILL, starts it
// again, or starts a second one that joins the same consumer groups. Usage (by the chaos run only):
// node --import tsx local/chaos/runtime-process.ts <config.json>

/** What the chaos run hands a runtime process: the stack it runs, where, and on how many partitions. */
export interface RuntimeProcessConfig {
  readonly templateFile: string;
  readonly prefix: string;
  readonly resources: readonly [string, LocalResource][];
  readonly endpoints: ServiceEndpoints;
  readonly partitions: number;
}

const send = (message: ChildMessage) => process.send?.(message);
const die = () => process.kill(process.pid, "SIGKILL");

/**
 * The faults the parent turns on and off: DynamoDB throttling and SNS failures at a rate for a while, and a
 * SIGKILL of this process at the next moment of a kind (a state write, an SNS publish, a commit).
 */
class ChaosFaults extends FaultInjector {
  throttle = 0;
  snsfail = 0;
  armed?: KillMoment;

  constructor() {
    super(NO_FAULTS, "chaos");
  }

  override callFaults(): (call: AwsCall) => CallPlan | undefined {
    return (call) => {
      const write = call.service === "DynamoDB" && /Put|Update|TransactWrite|BatchWrite/.test(call.command);
      const publish = call.service === "SNS" && call.command.startsWith("Publish");
      // Before the publish: the state write of this batch is done, its alerts not yet sent.
      if ((this.armed === "state-write" && write) || (this.armed === "publish" && publish)) die();
      if (call.service === "DynamoDB" && Math.random() < this.throttle)
        return { fail: throttlingError(call) };
      if (publish && Math.random() < this.snsfail) return { fail: snsInternalError(call) };
      return undefined;
    };
  }
}

/** The Kafka log, with a SIGKILL in the middle of a commit when one is armed: the request sent, its answer not read. */
class KillableLog extends KafkaLog {
  constructor(
    brokers: readonly string[],
    private readonly faults: ChaosFaults,
  ) {
    // The broker's minimum session timeout: a killed runtime's partitions move on within seconds, not 30.
    super(brokers, `theworldshop-chaos-${process.pid}`, {
      sessionTimeoutMs: 6_000,
      quiet: true,
      onReaderCrash: (error) => console.error(`kafka: ${error.message}`),
    });
  }

  override async commit(group: string, topic: string, partition: number, nextOffset: number) {
    const committing = super.commit(group, topic, partition, nextOffset);
    if (this.faults.armed === "commit") setImmediate(die);
    await committing;
  }
}

async function main(configFile: string) {
  const config = JSON.parse(readFileSync(configFile, "utf8")) as RuntimeProcessConfig;
  const template = JSON.parse(readFileSync(config.templateFile, "utf8")) as CfnTemplate;
  const byLogicalId = new Map(config.resources);
  const region = process.env.AWS_REGION ?? LOCAL_REGION;
  const resources: LocalStackResources = {
    prefix: config.prefix,
    byLogicalId,
    resolve: (value) => resolveIntrinsics(value, byLogicalId, region),
  };
  const faults = new ChaosFaults();
  const log = new KillableLog(config.endpoints.kafkaBrokers, faults);
  const runtime = new LocalRuntime({
    template,
    resources,
    endpoints: config.endpoints,
    log,
    partitions: config.partitions,
    faults,
    environmentOverrides: { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true" },
    onError: (error, where) => console.error(`${where}:`, error instanceof Error ? error.message : error),
  });
  process.on("message", (message: ParentMessage) => {
    if (message.type === "faults") {
      faults.throttle = message.throttle;
      faults.snsfail = message.snsfail;
    } else if (message.type === "arm") {
      faults.armed = message.moment;
    }
  });
  // An orphan must not outlive its chaos run: without the parent's channel this process ends at once.
  process.once("disconnect", die);
  // The parent may have gone while this process was still loading its modules: then no event comes.
  if (!process.connected) die();
  // SIGTERM is a graceful leave: the consumers leave their groups, as a scaled-in poller does.
  process.once("SIGTERM", () => {
    void runtime
      .stop()
      .then(() => log.close())
      .finally(() => process.exit(0));
  });
  await runtime.start();
  runtime.startSchedules();
  send({ type: "ready" });
}

const [configFile] = process.argv.slice(2);
if (!configFile) {
  console.error(
    "usage: node --import tsx local/chaos/runtime-process.ts <config.json> (started by npm run chaos)",
  );
  process.exit(2);
}
main(configFile).catch((error) => {
  console.error(error);
  process.exit(1);
});
