import { RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  AttributeType,
  Billing,
  type GlobalSecondaryIndexPropsV2,
  type ITableV2,
  ProjectionType,
  TableEncryptionV2,
  TableV2,
} from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import { Construct, type IConstruct } from "constructs";
import { STATE_TABLE_SCHEMA } from "../../functions/shared/state-table-schema";

export interface StateTableProps {
  /** `prod` keeps the table on stack deletion and turns on deletion protection. */
  readonly stage: "dev" | "prod";
  /**
   * Whether items carry a TTL attribute (`expiresAt`, epoch seconds) after which DynamoDB deletes them.
   * @default true
   */
  readonly timeToLive?: boolean;
  /**
   * Extra sparse indexes a consumer needs besides the outbox index (e.g. session expiry).
   * @default none
   */
  readonly extraIndexes?: readonly GlobalSecondaryIndexPropsV2[];
}

type StateTableListener = (stateTable: StateTable) => void;
const listenersByStack = new WeakMap<Stack, StateTableListener[]>();

/**
 * Calls `listener` for every StateTable of `scope`'s stack, those created already and those created later,
 * so that the outbox relay covers every state table whatever order the stack creates them in.
 */
export function onStateTable(scope: IConstruct, listener: StateTableListener): void {
  const stack = Stack.of(scope);
  for (const existing of stack.node.findAll()) if (existing instanceof StateTable) listener(existing);
  listenersByStack.set(stack, [...(listenersByStack.get(stack) ?? []), listener]);
}

/**
 * A consumer's keyed state in the layout the exactly-once engine writes: partition key `pk`, a version,
 * per-partition offset fences and an alert outbox with a sparse index on pending entries.
 */
export class StateTable extends Construct {
  public readonly table: TableV2;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    const prod = props.stage === "prod";
    this.table = new TableV2(this, "Table", {
      partitionKey: { name: STATE_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      timeToLiveAttribute: props.timeToLive === false ? undefined : STATE_TABLE_SCHEMA.timeToLive,
      globalSecondaryIndexes: [
        {
          indexName: STATE_TABLE_SCHEMA.outboxIndex.name,
          partitionKey: { name: STATE_TABLE_SCHEMA.outboxIndex.partitionKey, type: AttributeType.STRING },
          sortKey: { name: STATE_TABLE_SCHEMA.outboxIndex.sortKey, type: AttributeType.NUMBER },
          // The relay re-reads each item consistently: the index needs the keys only, not a copy of the state.
          projectionType: ProjectionType.KEYS_ONLY,
        },
        ...(props.extraIndexes ?? []),
      ],
    });
    for (const listener of listenersByStack.get(Stack.of(this)) ?? []) listener(this);
  }

  /**
   * What the exactly-once engine calls (functions/shared/engine/state-store.ts, outbox.ts): BatchGetItem and
   * GetItem to read keys, PutItem for each conditional state write and outbox acknowledgement. The write that
   * carries side records is a TransactWriteItems of Puts, which IAM authorizes as PutItem on each table.
   */
  public grantEngine(grantee: IGrantable): Grant {
    return this.grantOnTable(grantee, "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem");
  }

  /**
   * What the outbox relay calls (functions/outbox-relay/relay.ts): Query on the outbox index, GetItem to re-read
   * each listed item consistently, PutItem for its claim and acknowledgement writes.
   */
  public grantRelay(grantee: IGrantable): Grant {
    const index = this.grantOnIndex(grantee, STATE_TABLE_SCHEMA.outboxIndex.name, "dynamodb:Query");
    return index.combine(this.grantOnTable(grantee, "dynamodb:GetItem", "dynamodb:PutItem"));
  }

  /** Query on one index of the table, and on nothing else (TableV2's own grants add every index, `/index/*`). */
  public grantQueryIndex(grantee: IGrantable, indexName: string): Grant {
    return this.grantOnIndex(grantee, indexName, "dynamodb:Query");
  }

  /** Exactly `actions` on the table's items, none on its indexes. */
  public grantOnTable(grantee: IGrantable, ...actions: readonly string[]): Grant {
    return grantOnTable(this.table, grantee, ...actions);
  }

  private grantOnIndex(grantee: IGrantable, indexName: string, ...actions: readonly string[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [`${this.table.tableArn}/index/${indexName}`],
    });
  }
}

/** Exactly `actions` on a table's items, none on its indexes (e.g. PutItem on a consumer's side table). */
export function grantOnTable(table: ITableV2, grantee: IGrantable, ...actions: readonly string[]): Grant {
  return Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [table.tableArn] });
}
