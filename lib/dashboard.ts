import { CfnOutput } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Grant } from "aws-cdk-lib/aws-iam";
import { type FunctionUrl, FunctionUrlAuthType } from "aws-cdk-lib/aws-lambda";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { DECISIONS_BY_TIME_INDEX } from "../functions/card-velocity/decisions-index";
import { DASHBOARD_ENV } from "../functions/dashboard-api/settings";
import { SIGN_IN_ENV } from "../functions/dashboard-api/sign-in";
import { STOCK_ALERT_INDEX } from "../functions/inventory/stock-index";
import { SESSION_EXPIRY_INDEX } from "../functions/sessions/expiry-index";
import { AlertLog } from "./constructs/alert-log";
import { DashboardFunction } from "./constructs/dashboard-function";
import { DashboardHosting } from "./constructs/dashboard-hosting";
import type { DashboardSettings } from "./dashboard-config";
import { DashboardSignIn, OPS_GROUP } from "./dashboard-sign-in";

export interface DashboardProps {
  /** `prod` keeps the alert log and the page buckets on stack deletion. */
  readonly stage: "dev" | "prod";
  /** Who may open the hosted page (`theworldshop:dashboard`). */
  readonly settings: DashboardSettings;
  /** The topic every consumer publishes its alerts to; the alert log subscribes to it. */
  readonly alertTopic: ITopic;
  /** Where alert deliveries go that the alert log failed after Lambda's retries (the stack's failed batches). */
  readonly failedDeliveries: IQueue;
  /** The orders consumer's state table (minute counter shards). */
  readonly orders: ITableV2;
  /** Partitions of `theworldshop.orders`: the API sums minute shards p0 … p(partitions − 1). */
  readonly ordersPartitions: number;
  /** The availability state table, with the stock-alert index (`stockAlertIndex()`). */
  readonly availability: ITableV2;
  /** The card velocity decisions table, with the decisions-by-time index (`decisionsByTimeIndex()`). */
  readonly decisions: ITableV2;
  /** The sessions state table, with the session expiry index. */
  readonly sessions: ITableV2;
}

/**
 * The live ops dashboard: the alert log fed by the alert topic, the dashboard API (one read of every panel,
 * behind an IAM-authenticated Function URL, answering only ops users signed in to the Cognito user pool) and the
 * page on S3 + CloudFront, which reaches the API with an origin access control.
 */
export class Dashboard extends Construct {
  public readonly alertLog: AlertLog;
  public readonly api: NodejsFunction;
  /** AWS_IAM auth: only CloudFront (its OAC) and principals granted `lambda:InvokeFunctionUrl` get through. */
  public readonly apiUrl: FunctionUrl;
  public readonly hosting: DashboardHosting;
  /** The ops users' pool in front of the page and its API. */
  public readonly signIn: DashboardSignIn;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    if (!Number.isInteger(props.ordersPartitions) || props.ordersPartitions < 1)
      throw new Error(`${id}: ordersPartitions must be a positive integer, got ${props.ordersPartitions}`);
    this.alertLog = new AlertLog(this, "AlertLog", {
      alertTopic: props.alertTopic,
      failedDeliveries: props.failedDeliveries,
      stage: props.stage,
    });
    this.api = new DashboardFunction(this, "Api", {
      entry: "functions/dashboard-api/handler.ts",
      serviceName: "dashboard-api",
      memorySize: 512,
      environment: {
        [DASHBOARD_ENV.orders]: props.orders.tableName,
        [DASHBOARD_ENV.ordersPartitions]: String(props.ordersPartitions),
        [DASHBOARD_ENV.availability]: props.availability.tableName,
        [DASHBOARD_ENV.decisions]: props.decisions.tableName,
        [DASHBOARD_ENV.sessions]: props.sessions.tableName,
        [DASHBOARD_ENV.alertLog]: this.alertLog.table.tableName,
      },
    }).function;
    // Exactly the reads readDashboard makes: keyed minute shards, and queries on one index per table.
    this.grantOn(props.orders.tableArn, "dynamodb:BatchGetItem");
    this.grantOn(`${props.availability.tableArn}/index/${STOCK_ALERT_INDEX.name}`, "dynamodb:Query");
    this.grantOn(`${props.decisions.tableArn}/index/${DECISIONS_BY_TIME_INDEX.name}`, "dynamodb:Query");
    this.grantOn(`${props.sessions.tableArn}/index/${SESSION_EXPIRY_INDEX.name}`, "dynamodb:Query");
    this.grantOn(this.alertLog.table.tableArn, "dynamodb:Query");
    this.apiUrl = this.api.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });

    this.hosting = new DashboardHosting(this, "Hosting", {
      api: this.apiUrl,
      allowedCidrs: props.settings.allowedCidrs,
      webAclArn: props.settings.webAclArn,
      domain: props.settings.domain,
      stage: props.stage,
    });
    const pageUrl = `https://${props.settings.domain?.name ?? this.hosting.distribution.distributionDomainName}/`;
    this.signIn = new DashboardSignIn(this, "SignIn", {
      pageUrl,
      domainPrefix: props.settings.signInDomainPrefix,
      mfa: props.settings.signInMfa,
      stage: props.stage,
    });
    this.api.addEnvironment(SIGN_IN_ENV.userPoolId, this.signIn.userPool.userPoolId);
    this.api.addEnvironment(SIGN_IN_ENV.group, OPS_GROUP);
    new CfnOutput(this, "PageUrl", {
      description:
        "The ops dashboard: signed-in members of the ops group, from theworldshop:dashboard.allowedCidrs only",
      value: pageUrl,
    });
    new CfnOutput(this, "PageBucketName", {
      description: "Where scripts/deploy-dashboard.sh uploads the built page",
      value: this.hosting.bucket.bucketName,
    });
    new CfnOutput(this, "DistributionId", {
      description: "The page's CloudFront distribution, invalidated after an upload",
      value: this.hosting.distribution.distributionId,
    });
    new CfnOutput(this, "ApiUrl", {
      description: "The dashboard API for SigV4-signed callers: GET <url>api/dashboard",
      value: this.apiUrl.url,
    });
  }

  /** One action on one ARN: TableV2's own grants would add every index of the table (`…/index/*`) too. */
  private grantOn(resourceArn: string, action: string): void {
    Grant.addToPrincipal({ grantee: this.api, actions: [action], resourceArns: [resourceArn] });
  }
}
