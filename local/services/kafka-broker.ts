import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import { type ServiceProcess, startServiceProcess } from "./child-process";
import { freePorts, waitUntil } from "./wait";

const ROOT = join(import.meta.dirname, "..", "..");
const KAFKA_DIR = join(ROOT, "local", "kafka");
const LIBS = join(ROOT, ".cache", "kafka", "libs");
const JVM_OPTIONS = [
  "-Xms128m",
  "-Xmx512m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-Djava.awt.headless=true",
  `-Dlog4j2.configurationFile=${join(KAFKA_DIR, "log4j2.xml")}`,
];

/** Fetches the broker's jars from Maven Central into the git-ignored cache, once. */
export function ensureKafkaJars(): string {
  const ready = existsSync(LIBS) && readdirSync(LIBS).some((jar) => jar.startsWith("kafka_2.13-"));
  if (!ready) {
    mkdirSync(LIBS, { recursive: true });
    execFileSync(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        join(KAFKA_DIR, "pom.xml"),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        `-DoutputDirectory=${LIBS}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  }
  return LIBS;
}

export interface RunningKafka {
  readonly brokers: readonly string[];
  /** The broker's current process (a restart replaces it). */
  readonly process: ServiceProcess;
  stop(): Promise<void>;
  /**
   * Stops the broker process, waits `down` (milliseconds, or until the promise it returns settles), and starts
   * it again on the same log directory and ports; resolves once it serves metadata again (a broker restart, as
   * an MSK patch or a crashed node causes).
   */
  restart(down?: number | (() => Promise<unknown>)): Promise<void>;
}

/** Times a start is tried again when a port chosen for the broker was taken before the broker bound it. */
const PORT_ATTEMPTS = 5;

/**
 * A single-node KRaft broker on free loopback ports, with freshly formatted storage in a temp dir. A KRaft
 * controller's address must be known before it starts, so its ports are chosen beforehand; another process
 * can bind one of them first: the broker then exits with "Address already in use" and is started again on
 * new ports.
 */
export async function startKafkaBroker(): Promise<RunningKafka> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

class PortTakenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PortTakenError";
  }
}

async function startOnce(): Promise<RunningKafka> {
  const classpath = `${ensureKafkaJars()}/*`;
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const dataDir = mkdtempSync(join(ROOT, ".cache", "kafka", "run-"));
  const properties = join(dataDir, "server.properties");
  writeFileSync(properties, serverProperties(port, controllerPort, join(dataDir, "data")));
  const clusterId = newClusterId();
  execFileSync(
    "java",
    [
      ...JVM_OPTIONS,
      "-cp",
      classpath,
      "kafka.tools.StorageTool",
      "format",
      "--standalone",
      "-t",
      clusterId,
      "-c",
      properties,
    ],
    { stdio: "ignore" },
  );
  const launch = () =>
    startServiceProcess("kafka", "java", [...JVM_OPTIONS, "-cp", classpath, "kafka.Kafka", properties]);
  let proc = launch();
  const brokers = [`127.0.0.1:${port}`];
  const stop = async () => {
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  // A broker that could not bind logs this and then hangs in its shutdown instead of exiting.
  const portTaken = () => /Address already in use/.test(proc.output());
  try {
    await waitUntil("Kafka broker", () => warmUp(brokers, clusterId), {
      timeoutMs: 90_000,
      intervalMs: 300,
      alive: () => !proc.exited() && !portTaken(),
    });
  } catch (error) {
    await stop();
    if (portTaken())
      throw new PortTakenError(`port ${port} or ${controllerPort} was taken`, { cause: error });
    throw error;
  }
  return {
    brokers,
    get process() {
      return proc;
    },
    stop,
    async restart(down = 0) {
      await proc.stop();
      // The broker comes back however the wait ended; whoever gave the promise sees its failure themselves.
      await (typeof down === "number" ? sleep(down) : down().catch(() => {}));
      proc = launch();
      // The ports were ours a moment ago; should another process take one meanwhile, the warm-up fails loudly.
      await waitUntil("Kafka broker after its restart", () => warmUp(brokers, clusterId), {
        timeoutMs: 90_000,
        intervalMs: 300,
        alive: () => !proc.exited() && !portTaken(),
      });
    },
  };
}

/**
 * A random cluster id, as Kafka's own Uuid.randomUuid() makes them: never one starting with "-", which the
 * storage tool's command line would read as an option (one id in 64 did, and the broker never started).
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/**
 * Answers once the broker serves metadata and its group coordinator is up (`__consumer_offsets` exists). The
 * cluster id proves the broker is the one just formatted, not another process's that took the port first.
 */
async function warmUp(brokers: readonly string[], clusterId: string): Promise<void> {
  const admin = new Kafka({
    clientId: "warm-up",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.clusterId !== clusterId)
      throw new Error(`the broker at ${brokers.join(",")} is cluster ${cluster.clusterId}, not ${clusterId}`);
    await admin.describeGroups(["theworldshop-warm-up"]);
  } finally {
    await admin.disconnect();
  }
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${logDir}
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.retention.hours=1
log.segment.bytes=16777216
log.cleaner.dedupe.buffer.size=2097152
log.cleaner.threads=1
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
`;
}
