import { Duration, Lazy } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { ShopFunction } from "./shop-function";
import type { StateTable } from "./state-table";

export const OUTBOX_RELAY_ENTRY = "functions/outbox-relay/handler.ts";

export interface OutboxRelayProps {
  /**
   * State tables whose outboxes the relay covers; `addStateTable` adds more.
   * @default none
   */
  readonly stateTables?: readonly StateTable[];
  /** Where alerts are published. */
  readonly alertTopic: ITopic;
  /**
   * How long the relay leaves an alert to the batches after its claim ran out (or after it was written).
   * @default Duration.seconds(30)
   */
  readonly grace?: Duration;
  /**
   * How often the relay runs.
   * @default Schedule.rate(Duration.minutes(1))
   */
  readonly schedule?: Schedule;
}

/**
 * The scheduled outbox relay: every minute, publishes the alerts of every state table that no batch will
 * (an SNS failure, a crash, a key never touched again). Emits `OutboxOldestAgeSeconds` for the age alarm.
 */
export class OutboxRelay extends Construct {
  public readonly function: ShopFunction;
  public readonly schedule: Rule;
  private readonly stateTables: StateTable[] = [];

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const grace = props.grace ?? Duration.seconds(30);
    if (grace.toSeconds() < 0) throw new Error(`${id}: grace must not be negative`);
    this.function = new ShopFunction(this, "Function", {
      entry: OUTBOX_RELAY_ENTRY,
      serviceName: "outboxRelay",
      description: "TheWorldShop streaming: publishes the alerts left pending in any state table's outbox",
      environment: {
        // Resolved at synthesis, so tables added after the relay are listed too.
        STATE_TABLE_NAMES: Lazy.string({
          produce: () => this.stateTables.map((t) => t.table.tableName).join(","),
        }),
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        OUTBOX_RELAY_GRACE_SECONDS: String(grace.toSeconds()),
        POWERTOOLS_METRICS_NAMESPACE: "TheWorldShop/Streaming",
      },
    });
    props.alertTopic.grantPublish(this.function);
    // A missed run is made up by the next one a minute later: no retries of a run.
    this.schedule = new Rule(this, "Schedule", {
      description: "Runs the outbox relay",
      schedule: props.schedule ?? Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 0 })],
    });
    for (const table of props.stateTables ?? []) this.addStateTable(table);
    this.node.addValidation({
      validate: () => (this.stateTables.length === 0 ? ["the outbox relay covers no state table"] : []),
    });
  }

  /** Covers one more state table: lists it in STATE_TABLE_NAMES and grants the relay its data. */
  public addStateTable(stateTable: StateTable): void {
    if (this.stateTables.includes(stateTable)) return;
    this.stateTables.push(stateTable);
    stateTable.grantRelay(this.function);
  }
}
