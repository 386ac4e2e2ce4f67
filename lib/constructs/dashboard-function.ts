import { Duration } from "aws-cdk-lib";
import type { Role } from "aws-cdk-lib/aws-iam";
import type { IDestination } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { ShopFunction } from "./shop-function";

export interface DashboardFunctionProps {
  /** Handler source file, relative to the repository root (e.g. `functions/dashboard-api/handler.ts`). */
  readonly entry: string;
  /** The Powertools service name its logs carry. */
  readonly serviceName: string;
  readonly environment: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Where asynchronous invocations go after their retries (SNS deliveries). @default none */
  readonly onFailure?: IDestination;
}

/**
 * A function of the ops dashboard: a ShopFunction (its own role, its own log group, nothing managed) with the
 * dashboard's memory and timeout.
 */
export class DashboardFunction extends Construct {
  public readonly function: ShopFunction;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: DashboardFunctionProps) {
    super(scope, id);
    this.function = new ShopFunction(this, "Function", {
      entry: props.entry,
      serviceName: props.serviceName,
      description: `TheWorldShop ops dashboard: ${props.entry}`,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      environment: { ...props.environment },
      onFailure: props.onFailure,
    });
    this.role = this.function.executionRole;
  }
}
