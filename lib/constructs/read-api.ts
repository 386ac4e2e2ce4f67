import { relative } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import {
  Architecture,
  type CfnFunction,
  type FunctionUrl,
  FunctionUrlAuthType,
  Runtime,
  Tracing,
} from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { HANDLER_METADATA } from "./kafka-consumer";

const REPO_ROOT = relative(process.cwd(), new URL("../..", import.meta.url).pathname) || ".";

export interface ReadApiProps {
  /** Handler source file, relative to the repository root (e.g. `functions/decisions-api/handler.ts`). */
  readonly entry: string;
  /** Tables the handler reads, by the environment variable that names each (e.g. `DECISIONS_TABLE_NAME`). */
  readonly tables: Readonly<Record<string, ITableV2>>;
  /**
   * Memory of the function.
   * @default 256
   */
  readonly memorySize?: number;
}

/**
 * A read-only HTTP API over consumer tables for the shop's services: a Lambda behind a Function URL that
 * only IAM-signed requests reach (grant callers with `url.grantInvokeUrl`).
 */
export class ReadApi extends Construct {
  public readonly function: NodejsFunction;
  public readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: ReadApiProps) {
    super(scope, id);
    for (const name of Object.keys(props.tables)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
        throw new Error(`${id}: table environment variable ${name} must be UPPER_SNAKE_CASE`);
      }
    }
    const logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, "Function", {
      entry: `${REPO_ROOT}/${props.entry}`,
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: id,
        NODE_OPTIONS: "--enable-source-maps",
        ...Object.fromEntries(Object.entries(props.tables).map(([name, table]) => [name, table.tableName])),
      },
      bundling: { minify: true, sourceMap: true, format: OutputFormat.ESM, target: "node22" },
    });
    (this.function.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA, { entry: props.entry });
    for (const table of Object.values(props.tables)) table.grantReadData(this.function);
    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
  }
}
