import { Duration } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { type FunctionUrl, FunctionUrlAuthType } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { ShopFunction } from "./shop-function";
import { grantOnTable } from "./state-table";

export interface ReadApiProps {
  /** Handler source file, relative to the repository root (e.g. `functions/decisions-api/handler.ts`). */
  readonly entry: string;
  /** Tables the handler reads, by the environment variable that names each (e.g. `DECISIONS_TABLE_NAME`). */
  readonly tables: Readonly<Record<string, ITableV2>>;
  /** The keyed reads the handler makes on its tables, and nothing else: no Query, no Scan. */
  readonly reads: readonly ("dynamodb:GetItem" | "dynamodb:BatchGetItem")[];
  /**
   * The Powertools service name of the function.
   * @default the construct id
   */
  readonly serviceName?: string;
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
  public readonly function: ShopFunction;
  public readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: ReadApiProps) {
    super(scope, id);
    for (const name of Object.keys(props.tables)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
        throw new Error(`${id}: table environment variable ${name} must be UPPER_SNAKE_CASE`);
      }
    }
    this.function = new ShopFunction(this, "Function", {
      entry: props.entry,
      serviceName: props.serviceName ?? id,
      memorySize: props.memorySize ?? 256,
      timeout: Duration.seconds(10),
      environment: Object.fromEntries(
        Object.entries(props.tables).map(([name, table]) => [name, table.tableName]),
      ),
    });
    if (props.reads.length === 0) throw new Error(`${id}: reads must name the calls the handler makes`);
    for (const table of Object.values(props.tables)) grantOnTable(table, this.function, ...props.reads);
    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
  }
}
