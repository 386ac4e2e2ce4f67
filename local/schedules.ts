import { randomUUID } from "node:crypto";
import { LOCAL_REGION } from "./services/endpoints";
import { type CfnTemplate, resourcesOfType } from "./template";

/** A scheduled rule of the template: a rate and the functions it invokes. */
export interface ScheduleDefinition {
  readonly logicalId: string;
  readonly expression: string;
  readonly periodMs: number;
  readonly targets: readonly { readonly functionLogicalId: string; readonly input?: unknown }[];
}

/** Thrown for a schedule the local runtime does not run (only `rate(...)` expressions are supported). */
export class ScheduleExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleExpressionError";
  }
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The period of an EventBridge `rate(N minute|minutes|hour|hours|day|days)` expression, in milliseconds. */
export function ratePeriodMs(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!match)
    throw new ScheduleExpressionError(
      `only rate(N minutes|hours|days) schedules run locally, got ${expression}`,
    );
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_MS;
  if (amount < 1) throw new ScheduleExpressionError(`a rate must be at least 1, got ${expression}`);
  return amount * UNIT_MS[unit];
}

/** The enabled scheduled rules of the template whose targets are functions of the template. */
export function templateSchedules(template: CfnTemplate): ScheduleDefinition[] {
  const schedules: ScheduleDefinition[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, "AWS::Events::Rule")) {
    const props = resource.Properties ?? {};
    if (typeof props.ScheduleExpression !== "string" || props.State === "DISABLED") continue;
    const targets = ((props.Targets as Array<Record<string, unknown>> | undefined) ?? []).flatMap(
      (target) => {
        const arn = target.Arn as { "Fn::GetAtt"?: [string, string] } | undefined;
        const functionLogicalId = arn?.["Fn::GetAtt"]?.[0];
        if (!functionLogicalId || template.Resources[functionLogicalId]?.Type !== "AWS::Lambda::Function")
          return [];
        const input = typeof target.Input === "string" ? (JSON.parse(target.Input) as unknown) : undefined;
        return [{ functionLogicalId, input }];
      },
    );
    if (targets.length === 0) continue;
    schedules.push({
      logicalId,
      expression: props.ScheduleExpression,
      periodMs: ratePeriodMs(props.ScheduleExpression),
      targets,
    });
  }
  return schedules.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/**
 * The event EventBridge invokes a scheduled target with. Handlers take "now" from `time`, so a replay runs
 * them on event time by choosing the instant.
 */
export function scheduledEvent(rule: ScheduleDefinition, at: Date) {
  const region = process.env.AWS_REGION ?? LOCAL_REGION;
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    // EventBridge gives whole seconds; the exact instant keeps a replay's "now" equal to an event time.
    time: at.toISOString(),
    region,
    resources: [`arn:aws:events:${region}:000000000000:rule/${rule.logicalId}`],
    detail: {},
  };
}
