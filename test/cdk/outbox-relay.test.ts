import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { describe, expect, it } from "vitest";
import { buildStreamingApp } from "../../lib/app";
import { OutboxRelay } from "../../lib/constructs/outbox-relay";
import { onStateTable, StateTable } from "../../lib/constructs/state-table";

const kafka = { mode: "self-managed", bootstrapServers: ["b-1.kafka.internal:9092"] };
const noBundling = { "aws:cdk:bundling-stacks": [] };

function relayFunction(template: Template) {
  const functions = template.findResources("AWS::Lambda::Function", {
    Metadata: { "theworldshop:handler": { entry: "functions/outbox-relay/handler.ts" } },
  });
  const [logicalId, resource] = Object.entries(functions)[0] ?? [];
  return { logicalId: logicalId!, properties: resource?.Properties as Record<string, unknown> };
}

describe("the outbox relay", () => {
  it("runs every minute on nodejs22.x arm64 and lists every state table of the stack, the Availability table among them", () => {
    const stack = buildStreamingApp(new App({ context: { ...noBundling, "theworldshop:kafka": kafka } }));
    const template = Template.fromStack(stack);
    const availability = stack.getLogicalId(stack.availability.table.node.defaultChild as never);
    const relay = relayFunction(template);

    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [relay.logicalId, "Arn"] } })],
    });
    expect(relay.properties).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Timeout: 60,
      Environment: {
        Variables: {
          OUTBOX_RELAY_GRACE_SECONDS: "30",
          ALERT_TOPIC_ARN: { Ref: stack.getLogicalId(stack.alertTopic.node.defaultChild as never) },
        },
      },
    });
    const names = (relay.properties.Environment as { Variables: Record<string, unknown> }).Variables
      .STATE_TABLE_NAMES;
    expect(JSON.stringify(names)).toContain(`"Ref":"${availability}"`);
    const stateTables = stack.node.findAll().filter((c): c is StateTable => c instanceof StateTable);
    expect(stateTables.length).toBeGreaterThan(1);
    for (const { table } of stateTables)
      expect(JSON.stringify(names)).toContain(
        `"Ref":"${stack.getLogicalId(table.node.defaultChild as never)}"`,
      );
    // Its exact grants on each of them: test/cdk/permissions.test.ts.
  });

  it("covers the state tables a stack creates after the relay as well as before", () => {
    const stack = new Stack(new App({ context: noBundling }), "Relayed");
    const early = new StateTable(stack, "Early", { stage: "dev" });
    const relay = new OutboxRelay(stack, "Relay", { alertTopic: new Topic(stack, "Alerts") });
    onStateTable(stack, (stateTable) => relay.addStateTable(stateTable));
    const late = new StateTable(stack, "Late", { stage: "dev" });

    const names = relayFunction(Template.fromStack(stack)).properties.Environment as {
      Variables: { STATE_TABLE_NAMES: unknown };
    };

    expect(names.Variables.STATE_TABLE_NAMES).toEqual({
      "Fn::Join": [
        "",
        [
          { Ref: stack.getLogicalId(early.table.node.defaultChild as never) },
          ",",
          { Ref: stack.getLogicalId(late.table.node.defaultChild as never) },
        ],
      ],
    });
  });

  it("fails synthesis when it covers no state table", () => {
    const app = new App({ context: noBundling });
    const stack = new Stack(app, "Empty");
    new OutboxRelay(stack, "Relay", { alertTopic: new Topic(stack, "Alerts") });

    expect(() => app.synth()).toThrow(/covers no state table/);
  });
});
