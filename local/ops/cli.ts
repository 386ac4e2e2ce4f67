import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { Presets, SingleBar } from "cli-progress";
import { type RedriveReport, redriveRejected } from "./redrive";
import { groupRejected, readRejected } from "./rejected-queue";
import { stackStatus } from "./status";
import { consumerNamed, deployedTarget, localTarget, type OpsTarget } from "./target";

// `npm run ops -- <status|rejected|redrive|purge> [--stack NAME] [--json] …`: docs/operations.md.
const USAGE = `usage: npm run ops -- <command> [--stack NAME] [--json]
  status                                   lag per partition, stalled partitions, rejected records, pending alerts
  rejected [--consumer NAME] [--peek]      rejected records by consumer and reason (--peek: each record's coordinates and value)
  redrive --consumer NAME [--reason TEXT] [--since TIME] [--dry-run]
                                           runs the consumer's rejected records through its engine again, exactly once
  purge --consumer NAME --reason TEXT [--yes]
                                           deletes those rejected records for good (asks first unless --yes)
Without --stack: the local stack \`npm start\` runs. Exit codes: 0 done, 1 failed, 2 bad arguments, 3 records left.`;

export const EXIT = { ok: 0, failed: 1, usage: 2, recordsLeft: 3 } as const;

/** Thrown for arguments that cannot work; the message says what would. */
class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = "UsageError";
  }
}

const COMMANDS = ["status", "rejected", "redrive", "purge"] as const;
type Command = (typeof COMMANDS)[number];

function parse(argv: readonly string[]) {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...extra] = parsed.positionals;
  if (!command || !(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(
      command ? `unknown command "${command}": use one of ${COMMANDS.join(", ")}` : "no command",
    );
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const { values } = parsed;
  if ((command === "redrive" || command === "purge") && !values.consumer)
    throw new UsageError(`${command} needs --consumer NAME (inventory, cardVelocity, orders, sessions)`);
  if (command === "purge" && !values.reason)
    throw new UsageError("purge needs --reason TEXT (part of the reason to purge)");
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = new Date(values.since);
    if (Number.isNaN(since.getTime()))
      throw new UsageError(
        `--since must be an ISO-8601 time such as 2026-12-02T13:00:00Z, got "${values.since}"`,
      );
  }
  return { command: command as Command, values, since };
}

const OPTIONS = {
  stack: { type: "string" },
  json: { type: "boolean", default: false },
  consumer: { type: "string" },
  reason: { type: "string" },
  since: { type: "string" },
  "dry-run": { type: "boolean", default: false },
  peek: { type: "boolean", default: false },
  yes: { type: "boolean", default: false },
} as const;

async function run(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const { command, values, since } = parse(argv);
  const target: OpsTarget = values.stack ? await deployedTarget(values.stack) : localTarget();
  const out = (json: unknown, text: () => string[]) => {
    if (values.json) print(JSON.stringify(json, null, 2));
    else for (const line of text()) print(line);
  };
  try {
    if (command === "status") {
      const status = await stackStatus(target);
      out(status, () => [
        `stack ${status.stack}: ${status.rejectedTotal} rejected records; last alert ${status.lastAlert ? `${status.lastAlert.alertType} ${status.lastAlert.subjectId} at ${status.lastAlert.eventTime}` : "none seen"}`,
        ...status.consumers.flatMap((c) => [
          `${c.consumer} (${c.topic}, group ${c.group}): lag ${c.lag ?? "see the OffsetLag metric"}, ${c.rejected} rejected, ${c.pendingAlerts} alerts pending${c.oldestPendingAlertSeconds === null ? "" : ` (oldest ${c.oldestPendingAlertSeconds} s)`}`,
          ...(c.partitions ?? []).map(
            (p) =>
              `  partition ${p.partition}: committed ${p.committed} of ${p.end}, lag ${p.lag}${p.stalledSince ? `, STALLED since ${p.stalledSince}: ${p.stallReason}` : ""}`,
          ),
        ]),
      ]);
      return status.consumers.some((c) => c.stalledPartitions.length > 0) ? EXIT.recordsLeft : EXIT.ok;
    }
    if (command === "rejected") {
      const { entries } = await readRejected(target.sqs, target.rejectedQueueUrl);
      const groups = groupRejected(entries.filter((e) => !values.consumer || e.consumer === values.consumer));
      const shown = groups.map(({ records, ...group }) => (values.peek ? { ...group, records } : group));
      out(shown, () =>
        groups.length === 0
          ? ["no rejected records"]
          : groups.flatMap((g) => [
              `${g.consumer}: ${g.count} × ${g.reason}`,
              ...(values.peek
                ? g.records.map(
                    (r) =>
                      `  ${r.topic}-${r.partition}@${r.offset}${r.masked ? " (masked)" : ""}: ${String(r.value).slice(0, 200)}`,
                  )
                : []),
            ]),
      );
      return EXIT.ok;
    }
    const consumer = consumerNamed(target, values.consumer!);
    if (command === "purge") {
      const matches = (e: { consumer: string; reason: string }) =>
        e.consumer === consumer.name && e.reason.includes(values.reason!);
      const { entries } = await readRejected(target.sqs, target.rejectedQueueUrl);
      const count = entries.filter(matches).length;
      if (!values.yes) {
        const prompt = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await prompt.question(
          `delete ${count} rejected ${consumer.name} records (reason contains "${values.reason}") for good? [y/N] `,
        );
        prompt.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          out({ purged: 0 }, () => ["nothing purged"]);
          return EXIT.ok;
        }
      }
      const { deleted } = await readRejected(target.sqs, target.rejectedQueueUrl, matches);
      out({ purged: deleted.length }, () => [`purged ${deleted.length} rejected ${consumer.name} records`]);
      return EXIT.ok;
    }
    const bar = values.json
      ? undefined
      : new SingleBar(
          {
            format:
              "redrive {bar} {value}/{total} | {rate} records/s | applied {applied} | rejected again {again} | left {left}",
          },
          Presets.shades_classic,
        );
    const total = (await readRejected(target.sqs, target.rejectedQueueUrl)).entries.filter(
      (e) => e.consumer === consumer.name,
    ).length;
    const started = Date.now();
    bar?.start(total, 0, { rate: 0, applied: 0, again: 0, left: total });
    const tick = (r: RedriveReport) => {
      const done = r.applied.length + r.rejectedAgain.length;
      bar?.update(Math.min(done, total), {
        rate: (done / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1),
        applied: r.applied.length,
        again: r.rejectedAgain.length,
        left: Math.max(0, total - done),
      });
    };
    const report = await redriveRejected({
      sqs: target.sqs,
      queueUrl: target.rejectedQueueUrl,
      consumer: consumer.name,
      reason: values.reason,
      since,
      dryRun: values["dry-run"],
      invoke: (event) => target.invoke(consumer, event),
      onProgress: tick,
    });
    bar?.stop();
    out({ consumer: consumer.name, dryRun: values["dry-run"], ...report }, () => [
      `${values["dry-run"] ? "would redrive" : "redrove"} ${report.matched} ${consumer.name} records: ${report.applied.length} ${values["dry-run"] ? "redrivable" : "applied"}, ${report.rejectedAgain.length} rejected again, ${report.unfinished.length} unfinished, ${report.notRedrivable.length} never redrivable`,
      ...report.rejectedAgain.map(
        (r) => `  rejected again ${r.topic}-${r.partition}@${r.offset}: ${r.reason}`,
      ),
      ...report.notRedrivable.map((r) => `  not redrivable ${r.topic}-${r.partition}@${r.offset}: ${r.why}`),
      ...report.unfinished.map(
        (r) => `  unfinished ${r.topic}-${r.partition}@${r.offset}: run the redrive again`,
      ),
    ]);
    return report.unfinished.length + report.notRedrivable.length > 0 ? EXIT.recordsLeft : EXIT.ok;
  } finally {
    target.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2), (line) => console.log(line));
} catch (error) {
  console.error(`ops: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? EXIT.usage : EXIT.failed;
}
