import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { sessionsEnvironment } from "../../functions/sessions/config";
import { SESSION_EXPIRY_INDEX } from "../../functions/sessions/expiry-index";
import { ENDED_SESSIONS_TABLE } from "../../functions/sessions/session";
import type { StreamingConfig } from "../config";
import { KafkaConsumer } from "../constructs/kafka-consumer";
import { ShopFunction } from "../constructs/shop-function";
import { grantOnTable, StateTable } from "../constructs/state-table";

const SWEEPER_ENTRY = "functions/sessions/sweeper.ts";

export interface SessionsProps {
  /** The validated streaming config: stage, Kafka source and the clicks topic. */
  readonly config: StreamingConfig;
  /** Credentials secret for SASL/SCRAM, when the Kafka source needs one. */
  readonly secret?: ISecret;
  /** Where alerts are published. */
  readonly alertTopic: ITopic;
  /** Where clicks that fail their schema go. */
  readonly rejectedRecords: IQueue;
}

/**
 * Click sessionization: the sessions consumer of the clicks topic, its state with the session expiry
 * index, the endedSessions table, and the sweeper that ends sessions after
 * `theworldshop:sessions.gapMinutes` (30) without a click.
 */
export class Sessions extends Construct {
  /** Per user: the active session, and the expiry index attributes while there is one. */
  public readonly state: StateTable;
  /** Ended sessions `{ sessionId, userId, start, end, clicks, pages }`, keyed by `sessionId`. */
  public readonly endedSessions: TableV2;
  public readonly consumer: KafkaConsumer;
  /** Ends the sessions that timed out, every minute. */
  public readonly sweeper: ShopFunction;
  public readonly sweepSchedule: Rule;

  constructor(scope: Construct, id: string, props: SessionsProps) {
    super(scope, id);
    const prod = props.config.stage === "prod";
    this.state = new StateTable(this, "State", {
      stage: props.config.stage,
      extraIndexes: [
        {
          indexName: SESSION_EXPIRY_INDEX.name,
          partitionKey: { name: SESSION_EXPIRY_INDEX.partitionKey, type: AttributeType.STRING },
          sortKey: { name: SESSION_EXPIRY_INDEX.sortKey, type: AttributeType.NUMBER },
          // The sweeper needs the session and its version; fences and outbox stay out of the index.
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ["state", "version"],
        },
      ],
    });
    this.endedSessions = new TableV2(this, "EndedSessions", {
      partitionKey: { name: "sessionId", type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const environment = {
      STATE_TABLE_NAME: this.state.table.tableName,
      [`SIDE_TABLE_${ENDED_SESSIONS_TABLE.toUpperCase()}`]: this.endedSessions.tableName,
    };

    this.consumer = new KafkaConsumer(this, "Consumer", {
      entry: "functions/sessions/handler.ts",
      topic: props.config.topics.clicks,
      source: props.config.kafka,
      secret: props.secret,
      tables: [this.state],
      sideTables: [this.endedSessions],
      alertTopic: props.alertTopic,
      rejectedRecords: props.rejectedRecords,
      environment: {
        ...environment,
        ...sessionsEnvironment(props.config.sessions),
        POWERTOOLS_SERVICE_NAME: "sessions",
      },
    });

    this.sweeper = new ShopFunction(this, "Sweeper", {
      entry: SWEEPER_ENTRY,
      serviceName: "sessionTimeout",
      environment,
    });
    // Only what a sweep does (functions/sessions/sweep.ts): query the expiry index, then one transaction that
    // ends the session (an Update) and records it (a Put), which IAM authorizes as UpdateItem and PutItem.
    this.state.grantQueryIndex(this.sweeper, SESSION_EXPIRY_INDEX.name);
    this.state.grantOnTable(this.sweeper, "dynamodb:UpdateItem");
    grantOnTable(this.endedSessions, this.sweeper, "dynamodb:PutItem");

    this.sweepSchedule = new Rule(this, "SweepSchedule", {
      description: `Ends TheWorldShop sessions after ${props.config.sessions.gapMinutes} minutes without a click`,
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.sweeper, { retryAttempts: 0 })],
    });
  }
}
