import { relative } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type CfnFunction, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { acknowledgeFunctionFindings } from "./function-findings";

/** Metadata key under which each function records its handler source, so the local runtime can run it. */
export const HANDLER_METADATA = "theworldshop:handler";
/**
 * The X-Ray SDK under Powertools Tracer is CommonJS and `require`s Node built-ins, which an ESM bundle lacks:
 * the banner Powertools' own ESM tests use gives it one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";
const REPO_ROOT = relative(process.cwd(), new URL("../..", import.meta.url).pathname) || ".";

export interface ShopFunctionProps
  extends Omit<
    NodejsFunctionProps,
    "entry" | "handler" | "runtime" | "architecture" | "bundling" | "logGroup" | "role"
  > {
  /** Handler source file, relative to the repository root (e.g. `functions/sessions/sweeper.ts`); exports `handler`. */
  readonly entry: string;
  /** The Powertools service name its logs and metrics carry. */
  readonly serviceName: string;
}

/**
 * Every TheWorldShop Lambda function: nodejs22.x on arm64, a minified ESM bundle with source maps, an
 * explicit log group with retention, X-Ray tracing, and its handler source recorded for the local runtime.
 * The one role factory of the stack: each function gets a role of its own that may write its own log group
 * (no AWS managed policy) and nothing else until a construct grants it what its code calls.
 */
export class ShopFunction extends NodejsFunction {
  /** The function's own execution role (the event source mapping's pollers act as it too). */
  public readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: ShopFunctionProps) {
    const { entry, serviceName, environment, ...rest } = props;
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `TheWorldShop ${serviceName}: ${entry}`,
    });
    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(60),
      tracing: Tracing.ACTIVE,
      ...rest,
      entry: `${REPO_ROOT}/${entry}`,
      role,
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup: new LogGroup(scope, `${id}Logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        NODE_OPTIONS: "--enable-source-maps",
        ...environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        format: OutputFormat.ESM,
        target: "node22",
        banner: ESM_REQUIRE_BANNER,
      },
    });
    this.executionRole = role;
    this.logGroup.grantWrite(role);
    (this.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA, { entry });
    // What it holds so far (its logs, X-Ray); the constructs call it again after their grants.
    acknowledgeFunctionFindings(this);
  }
}
