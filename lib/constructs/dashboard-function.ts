import { Duration, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
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
 * A function of the ops dashboard: a ShopFunction with a role of its own that may write its own log group
 * (no AWS managed policy) and nothing else until granted.
 */
export class DashboardFunction extends Construct {
  public readonly function: ShopFunction;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: DashboardFunctionProps) {
    super(scope, id);
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `TheWorldShop ops dashboard: ${props.entry}`,
    });
    this.function = new ShopFunction(this, "Function", {
      entry: props.entry,
      serviceName: props.serviceName,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      environment: { ...props.environment },
      onFailure: props.onFailure,
    });
    this.function.logGroup.grantWrite(this.role);
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level permissions",
    });
    Validations.of(this.function).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "pinned to nodejs22.x, the runtime the functions, their tests and the local runtime are built on",
    });
  }
}
