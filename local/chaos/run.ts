import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { OUTBOX_RELAY_ENTRY } from "../../lib/constructs/outbox-relay";
import { type ReceivedAlert, subscribeAlertInbox } from "../alert-inbox";
import { KafkaLog } from "../event-source/kafka-log";
import { templateKafkaMappings } from "../event-source/mappings";
import { parseReplayInput } from "../replay/input";
import { collectRejected, runReplay } from "../replay/replay";
import { readSections, readSellerMinutes, type SectionContext, type SellerMinutes } from "../replay/sections";
import { awsClients, createStackResources } from "../resources";
import { LocalRuntime } from "../runtime";
import { startLocalServices } from "../services";
import { startKafkaBroker } from "../services/kafka-broker";
import { waitUntil } from "../services/wait";
import { localStreamingConfig, synthesizeTemplate } from "../template";
import { LagWatch } from "./lag";
import type { RuntimeProcessConfig } from "./runtime-process";
import { RuntimeProcess } from "./runtime-processes";
import { type ChaosFault, chaosSchedule, FAULT_KIND_NAMES, type FaultKindName } from "./schedule";
import { startChaosTraffic } from "./traffic";
import { judge, type Verdict } from "./verdict";

export interface ChaosOptions {
  readonly minutes: number;
  /** Records per second, over the four topics. */
  readonly rate: number;
  readonly seed: number;
  readonly partitions: number;
  readonly killsPerMinute: number;
  readonly onProgress: (line: string) => void;
}

export interface ChaosReport extends Omit<Verdict, "mismatches"> {
  readonly seed: number;
  readonly minutes: number;
  readonly rate: number;
  readonly faults: Record<FaultKindName, number>;
  /** Kills by where they hit: anytime (SIGKILL from outside) or at the armed moment. */
  readonly kills: Record<string, number>;
  readonly records: number;
  /** Records in the broker's topics beyond or short of those acknowledged to the producer: must be 0. */
  readonly recordsMismatch: number;
  /** Consumer-group partitions whose committed offset is not the end of the partition at the end: must be 0. */
  readonly uncommittedPartitions: number;
  readonly mismatches: readonly string[];
  /**
   * Seconds from each kill and broker restart until the consumers have committed what the topics held just after
   * it and the lag is back under one second of traffic; null for one that never recovered before the drain ended.
   */
  readonly recoverySeconds: (number | null)[];
  /** What "recovered" means here: the lag, in records, under one second of traffic beyond the batching window. */
  readonly recoveredBelowRecords: number;
  /** The lag (records produced and not committed) every five seconds. */
  readonly lag: readonly { second: number; lag: number }[];
  readonly peakRssMiB: number;
  /** The runtime's resident memory each minute (a soak's growth shows here), and the slope of the longest life. */
  readonly rss: {
    readonly samples: { minute: number; mib: number; life: number }[];
    readonly slopeMiBPerHour?: number;
  };
  readonly inputFile: string;
  readonly seconds: number;
  /** Runtime processes that exited on their own (not killed or stopped by the run): must be none. */
  readonly crashes: readonly string[];
  /** Why the run did not pass, one line a check; empty when it passed. */
  readonly failures: readonly string[];
  readonly passed: boolean;
}

/** How long an armed kill may wait for its moment before the process is killed from outside. */
const ARMED_KILL_TIMEOUT_MS = 5_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long the consumers get to commit everything once the traffic stopped. */
const DRAIN_TIMEOUT_MS = 10 * 60_000;

/**
 * `npm run chaos`: the local pipeline on a real broker with the runtime as its own process, seeded traffic
 * written to an input file, and real faults on a seeded schedule; at the end the outcome is compared with one
 * fault-free, in-order fold of the same input (the replay).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const say = options.onProgress;
  if (process.env.KAFKA_BROKERS)
    throw new Error("npm run chaos restarts its own broker: unset KAFKA_BROKERS");
  const dir = join(
    process.cwd(),
    ".cache",
    "chaos",
    `${new Date().toISOString().replaceAll(":", "")}-${process.pid}`,
  );
  mkdirSync(dir, { recursive: true });
  say("starting DynamoDB Local, the SNS/SQS emulator and a Kafka broker");
  const services = await startLocalServices({ aws: true, kafka: false });
  const broker = await startKafkaBroker().catch(async (error) => {
    await services.stop();
    throw error;
  });
  const endpoints = { ...services.endpoints, kafkaBrokers: [...broker.brokers] };
  const clients = awsClients(endpoints);
  const log = new KafkaLog(endpoints.kafkaBrokers, "theworldshop-chaos", { quiet: true });
  const processes = new Set<RuntimeProcess>();
  // Background loops (traffic, receiver, lag and memory watches): stopped on every path, errors included.
  const stops: (() => unknown)[] = [];
  try {
    const template = synthesizeTemplate();
    const templateFile = join(dir, "template.json");
    writeFileSync(templateFile, JSON.stringify(template));
    const prefix = `chaos-${randomUUID().slice(0, 8)}`;
    const resources = await createStackResources(template, endpoints, prefix);
    const mappings = templateKafkaMappings(template, resources.resolve);
    for (const topic of new Set(mappings.flatMap((mapping) => mapping.topics)))
      await log.ensureTopic(topic, options.partitions);
    const configFile = join(dir, "runtime.json");
    const config: RuntimeProcessConfig = {
      templateFile,
      prefix,
      resources: [...resources.byLogicalId],
      endpoints,
      partitions: options.partitions,
    };
    writeFileSync(configFile, JSON.stringify(config));
    const inbox = await subscribeAlertInbox(resources, clients, "chaos-alerts");
    const deliveries: ReceivedAlert[] = [];
    let receiving = true;
    stops.push(() => (receiving = false));
    const receiver = (async () => {
      while (receiving)
        deliveries.push(...(await inbox.receive(1).catch(() => sleep(1_000, [] as ReceivedAlert[]))));
    })();

    let lives = 0;
    const crashes: string[] = [];
    let throttling: { throttle: number; snsfail: number } | undefined;
    const launch = async (name = "runtime") => {
      const started = new RuntimeProcess(configFile, `${name}-${++lives}`);
      processes.add(started);
      void started.exited.then(() => {
        processes.delete(started);
        if (started.unexpectedExit) crashes.push(started.unexpectedExit);
      });
      await started.ready;
      // A process started during a throttling window gets it too (a restarted runtime, or a joiner).
      if (throttling) started.tell({ type: "faults", ...throttling });
      return started;
    };
    say("starting the runtime process");
    let runtime = await launch();
    const lag = new LagWatch(log, mappings, options.rate);
    const rss = new RssWatch(() => runtime);
    stops.push(
      () => lag.stop(),
      () => rss.stop(),
    );
    const inputFile = join(dir, "input.jsonl");
    const traffic = startChaosTraffic({
      log,
      topics: localStreamingConfig().topics,
      rate: options.rate,
      minutes: options.minutes,
      seed: options.seed,
      inputFile,
      onError: () => {},
    });
    stops.push(() => traffic.stop());
    const start = Date.now();
    const schedule = chaosSchedule(options);
    const counts: Record<FaultKindName, number> = { kill: 0, brokerRestart: 0, throttle: 0, rebalance: 0 };
    const kills: Record<string, number> = {};
    const recoveries: Promise<number | null>[] = [];
    const pending: Promise<void>[] = [];
    const inject = async (fault: ChaosFault) => {
      counts[fault.kind] += 1;
      if (fault.kind === "kill") {
        const where = await killRuntime(runtime, fault.moment);
        // From the kill itself, not from the arming: an armed kill waits up to 5 s for its moment.
        const at = Date.now();
        kills[where] = (kills[where] ?? 0) + 1;
        await sleep(fault.downMs);
        runtime = await launch();
        recoveries.push(lag.recovered(at));
      } else if (fault.kind === "brokerRestart") {
        const at = Date.now();
        await traffic.pause();
        await broker.restart(fault.downMs);
        traffic.resume();
        recoveries.push(lag.recovered(at));
      } else if (fault.kind === "throttle") {
        const rates = { throttle: fault.throttle, snsfail: fault.snsfail };
        throttling = rates;
        for (const running of processes) running.tell({ type: "faults", ...rates });
        pending.push(
          sleep(fault.durationMs).then(() => {
            if (throttling === rates) throttling = undefined;
            for (const running of processes) running.tell({ type: "faults", throttle: 0, snsfail: 0 });
          }),
        );
      } else {
        const joiner = await launch("joiner");
        pending.push(sleep(fault.durationMs).then(() => joiner.stop()));
      }
    };
    say(`${schedule.length} faults over ${options.minutes} min of traffic at ${options.rate} records/s`);
    for (const fault of schedule) {
      const wait = start + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      say(
        `${((Date.now() - start) / 1000).toFixed(0)} s: ${describe(fault)}; ${traffic.produced()} records so far`,
      );
      await inject(fault);
    }
    const end = start + options.minutes * 60_000;
    if (end > Date.now()) await sleep(end - Date.now());
    await traffic.stop();
    await Promise.all(pending);
    for (const running of processes) running.tell({ type: "faults", throttle: 0, snsfail: 0 });
    say(`${traffic.produced()} records produced; waiting for every consumer group to commit them`);
    // A drain that times out is a finding, not an error: the run goes on to its report, which says how far
    // behind the consumers stayed and what the state is like then.
    const undrained = await waitUntil(
      "every consumer group at the end of its partitions",
      () => lag.drained(),
      {
        timeoutMs: DRAIN_TIMEOUT_MS,
        intervalMs: 1_000,
      },
    ).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    lag.stop();
    const recoverySeconds = (await Promise.all(recoveries)).map((ms) =>
      ms === null ? null : Math.round(ms / 100) / 10,
    );
    await runtime.stop();
    rss.stop();

    const records = parseReplayInput(readFileSync(inputFile, "utf8"));
    const recordsMismatch = await logMismatch(log, mappings, records);
    say(`reference: replaying the ${records.length} records in order, without faults`);
    let referenceSellers: SellerMinutes = {};
    let now: number | undefined;
    const reference = await runReplay({
      records,
      partitions: options.partitions,
      embedded: true,
      endpoints,
      template,
      inspect: async (context) => {
        referenceSellers = await readSellerMinutes(context);
        now = context.now;
      },
    });

    say("the chaos run's outcome: schedules at the input's last event time, alerts, state");
    const final = new LocalRuntime({ template, resources, endpoints, log, partitions: options.partitions });
    try {
      const scheduleFailures: string[] = [];
      if (now !== undefined) {
        const runs = [
          ...(await final.runSchedules(new Date(now))),
          // As in the replay: outbox claims are processing time; a day later every killed invocation's claim is over.
          ...(await final.runSchedules(new Date(Date.now() + DAY_MS), 3, (e) => e === OUTBOX_RELAY_ENTRY)),
        ];
        for (const run of runs)
          if (run.outcome.status === "error")
            scheduleFailures.push(`${run.schedule} (${run.functionLogicalId})`);
      }
      receiving = false;
      await receiver;
      deliveries.push(...(await inbox.drain()));
      const consumers = new Map(
        final.eventSources.flatMap((source) =>
          source.definition.topics.map((topic) => [
            topic,
            final.functions.get(source.definition.functionLogicalId),
          ]),
        ),
      );
      const context: SectionContext = {
        consumerOf: (topic) => consumers.get(topic)?.definition,
        topics: localStreamingConfig().topics,
        dynamodb: DynamoDBDocumentClient.from(clients.dynamodb),
        now,
      };
      const verdict = judge(
        {
          sections: reference,
          sellers: referenceSellers,
          rejected: reference.rejected,
          alerts: reference.alerts,
        },
        {
          sections: await readSections(context),
          sellers: await readSellerMinutes(context),
          rejected: await collectRejected(final, clients.sqs),
          deliveries,
        },
      );
      const uncommittedPartitions = await lag.uncommittedPartitions();
      const failures = [
        ...check(verdict.stateMismatches === 0, `${verdict.stateMismatches} state mismatches`),
        ...check(verdict.alerts.lost === 0, `${verdict.alerts.lost} alerts lost`),
        ...check(verdict.alerts.unexpected === 0, `${verdict.alerts.unexpected} unexpected alerts`),
        ...check(verdict.rejected.differing === 0, `${verdict.rejected.differing} rejected records differ`),
        ...check(recordsMismatch === 0, `${recordsMismatch} records in the topics not as acknowledged`),
        ...check(
          undrained === undefined,
          `the consumers did not commit to the end in ${DRAIN_TIMEOUT_MS / 60_000} minutes: ${undrained}`,
        ),
        ...check(uncommittedPartitions === 0, `${uncommittedPartitions} partitions not committed to the end`),
        ...check(reference.failedBatches.length === 0, "the reference replay gave up on batches"),
        ...crashes.map((crash) => `a runtime process crashed: ${crash}`),
        ...scheduleFailures.map((run) => `the final scheduled run of ${run} failed`),
        // A run that proves nothing does not pass: faults, records, alerts and rejections must all be there.
        ...FAULT_KIND_NAMES.flatMap((kind) => {
          const planned = schedule.filter((fault) => fault.kind === kind).length;
          return check(counts[kind] === planned, `${counts[kind]} of ${planned} ${kind} faults`);
        }),
        ...check(records.length > 0, "no records"),
        ...check(verdict.alerts.expected > 0, "the input raises no alerts to check"),
        ...check(verdict.rejected.expected > 0, "the input has no rejected records to check"),
      ];
      return {
        seed: options.seed,
        minutes: options.minutes,
        rate: options.rate,
        faults: counts,
        kills,
        records: records.length,
        recordsMismatch,
        uncommittedPartitions,
        ...verdict,
        recoverySeconds,
        recoveredBelowRecords: lag.threshold,
        lag: lag.series,
        peakRssMiB: Math.round(rss.peak),
        rss: rss.summary(),
        inputFile,
        seconds: Math.round((Date.now() - began) / 1000),
        crashes,
        failures,
        passed: failures.length === 0,
      };
    } finally {
      await final.stop();
    }
  } finally {
    for (const stop of stops) await stop();
    await Promise.all([...processes].map((running) => running.kill()));
    await log.close();
    clients.dynamodb.destroy();
    clients.sns.destroy();
    clients.sqs.destroy();
    await broker.stop();
    await services.stop();
  }
}

/** Kills the runtime: at its armed moment if it reaches one soon, otherwise (or for "anytime") from outside. */
async function killRuntime(runtime: RuntimeProcess, moment: Extract<ChaosFault, { kind: "kill" }>["moment"]) {
  if (moment !== "anytime" && runtime.alive) {
    runtime.expectExit();
    runtime.tell({ type: "arm", moment });
    const fired = await Promise.race([runtime.exited.then(() => true), sleep(ARMED_KILL_TIMEOUT_MS, false)]);
    if (fired) return moment;
  }
  await runtime.kill();
  return moment === "anytime" ? "anytime" : `anytime (no ${moment} within ${ARMED_KILL_TIMEOUT_MS / 1000} s)`;
}

function check(holds: boolean, failure: string): string[] {
  return holds ? [] : [failure];
}

function describe(fault: ChaosFault): string {
  switch (fault.kind) {
    case "kill":
      return `SIGKILL the runtime (${fault.moment === "anytime" ? "at once" : `at its next ${fault.moment}`})`;
    case "brokerRestart":
      return `restart the broker (down ${(fault.downMs / 1000).toFixed(1)} s)`;
    case "throttle":
      return `throttle DynamoDB and fail SNS publishes for ${(fault.durationMs / 1000).toFixed(0)} s`;
    case "rebalance":
      return `a second runtime joins the consumer groups for ${(fault.durationMs / 1000).toFixed(0)} s`;
  }
}

/**
 * Records in the topics beyond or short of those the producer had acknowledged (a duplicate or a loss), partition
 * by partition, so that a loss in one cannot hide behind a duplicate in another.
 */
async function logMismatch(
  log: KafkaLog,
  mappings: ReturnType<typeof templateKafkaMappings>,
  acknowledged: readonly { topic: string; partition?: number }[],
) {
  const want = new Map<string, number>();
  for (const record of acknowledged) {
    const key = `${record.topic}-${record.partition}`;
    want.set(key, (want.get(key) ?? 0) + 1);
  }
  let mismatch = 0;
  for (const topic of new Set(mappings.flatMap((mapping) => mapping.topics)))
    for (const [partition, end] of (await log.endOffsets(topic)).entries()) {
      mismatch += Math.abs(end - (want.get(`${topic}-${partition}`) ?? 0));
      want.delete(`${topic}-${partition}`);
    }
  // Acknowledged records of a partition the topics do not have.
  return mismatch + [...want.values()].reduce((sum, n) => sum + n, 0);
}

/** The runtime process's resident memory: its peak, and a sample each minute. */
class RssWatch {
  peak = 0;
  private readonly samples: { minute: number; mib: number; life: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly began = Date.now();

  constructor(current: () => RuntimeProcess) {
    let lastMinute = -1;
    this.timer = setInterval(() => {
      const runtime = current();
      const mib = runtime.rssMiB();
      if (mib === undefined) return;
      this.peak = Math.max(this.peak, mib);
      const minute = Math.floor((Date.now() - this.began) / 60_000);
      if (minute !== lastMinute) {
        lastMinute = minute;
        this.samples.push({ minute, mib: Math.round(mib), life: runtime.startedAt });
      }
    }, 1_000);
  }

  stop() {
    clearInterval(this.timer);
  }

  /** The samples, and MiB per hour over the longest-lived runtime process's samples (least squares). */
  summary(): ChaosReport["rss"] {
    const byLife = new Map<number, { minute: number; mib: number }[]>();
    for (const sample of this.samples) byLife.set(sample.life, [...(byLife.get(sample.life) ?? []), sample]);
    const longest = [...byLife.values()].sort((a, b) => b.length - a.length)[0] ?? [];
    return { samples: this.samples, slopeMiBPerHour: longest.length >= 3 ? slope(longest) * 60 : undefined };
  }
}

function slope(points: readonly { minute: number; mib: number }[]): number {
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p.minute, 0) / n;
  const my = points.reduce((sum, p) => sum + p.mib, 0) / n;
  const sxy = points.reduce((sum, p) => sum + (p.minute - mx) * (p.mib - my), 0);
  const sxx = points.reduce((sum, p) => sum + (p.minute - mx) ** 2, 0);
  return sxx === 0 ? 0 : Math.round((sxy / sxx) * 100) / 100;
}
