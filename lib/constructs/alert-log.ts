import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { LambdaSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ALERT_LOG_SCHEMA, ALERT_LOG_TABLE_ENV } from "../../functions/alert-log/alert-log";
import { DashboardFunction } from "./dashboard-function";

export interface AlertLogProps {
  /** The topic every consumer publishes its alerts to. */
  readonly alertTopic: ITopic;
  /** Where a delivery goes that the subscriber failed after Lambda's retries (e.g. DynamoDB unavailable). */
  readonly failedDeliveries: IQueue;
  /** `prod` keeps the table on stack deletion and turns on deletion protection. */
  readonly stage: "dev" | "prod";
}

/**
 * The last days of alerts for the ops dashboard's feed, without SQS in between: a Lambda subscribed to the
 * alert topic writes each alert once to a table partitioned by day and sorted by event time.
 */
export class AlertLog extends Construct {
  /** `pk = alerts#<day>`, `sk = <eventTime>#<alertId>`, TTL 7 days after the alert's event time. */
  public readonly table: TableV2;
  public readonly subscriber: NodejsFunction;

  constructor(scope: Construct, id: string, props: AlertLogProps) {
    super(scope, id);
    const prod = props.stage === "prod";
    this.table = new TableV2(this, "Table", {
      partitionKey: { name: ALERT_LOG_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: ALERT_LOG_SCHEMA.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: ALERT_LOG_SCHEMA.timeToLive,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.subscriber = new DashboardFunction(this, "Subscriber", {
      entry: "functions/alert-log/handler.ts",
      serviceName: "alertLog",
      environment: { [ALERT_LOG_TABLE_ENV]: this.table.tableName },
      onFailure: new SqsDestination(props.failedDeliveries),
    }).function;
    // A conditional put per alert is all it does: logged once, a repeat finds it there.
    this.table.grant(this.subscriber, "dynamodb:PutItem");
    props.alertTopic.addSubscription(new LambdaSubscription(this.subscriber));
  }
}
