import { describe, expect, it } from "vitest";
import {
  ratePeriodMs,
  ScheduleExpressionError,
  scheduledEvent,
  templateSchedules,
} from "../../../local/schedules";

describe("local schedules", () => {
  it.each([
    ["rate(1 minute)", 60_000],
    ["rate(5 minutes)", 300_000],
    ["rate(2 hours)", 7_200_000],
    ["rate(1 day)", 86_400_000],
  ])("runs %s every %i ms", (expression, periodMs) => {
    expect(ratePeriodMs(expression)).toBe(periodMs);
  });

  it.each(["cron(0 12 * * ? *)", "rate(0 minutes)", "rate(5 seconds)"])("refuses %s", (expression) => {
    expect(() => ratePeriodMs(expression)).toThrow(ScheduleExpressionError);
  });

  it("reads the template's scheduled rules that target its functions", () => {
    const schedules = templateSchedules({
      Resources: {
        Sweeper: { Type: "AWS::Lambda::Function" },
        Sweep: {
          Type: "AWS::Events::Rule",
          Properties: {
            ScheduleExpression: "rate(1 minute)",
            Targets: [{ Arn: { "Fn::GetAtt": ["Sweeper", "Arn"] } }],
          },
        },
        Off: {
          Type: "AWS::Events::Rule",
          Properties: {
            ScheduleExpression: "rate(1 minute)",
            State: "DISABLED",
            Targets: [{ Arn: { "Fn::GetAtt": ["Sweeper", "Arn"] } }],
          },
        },
      },
    });

    expect(schedules).toEqual([
      {
        logicalId: "Sweep",
        expression: "rate(1 minute)",
        periodMs: 60_000,
        targets: [{ functionLogicalId: "Sweeper" }],
      },
    ]);
  });

  it("gives handlers the instant to take as now in the scheduled event's time", () => {
    const at = new Date("2026-11-20T23:50:00.250Z");
    const event = scheduledEvent(
      { logicalId: "Sweep", expression: "rate(1 minute)", periodMs: 60_000, targets: [] },
      at,
    );

    expect(event).toMatchObject({
      "detail-type": "Scheduled Event",
      source: "aws.events",
      time: at.toISOString(),
    });
  });
});
