import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import type { Alert } from "../../functions/shared/engine/types";
import type { EngineTestStack } from "./engine-stack";
import type { ReferenceOutcome } from "./reference-fold";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** What the engine left behind, in a shape `toEqual` compares with `expectedOutcome`. */
export interface ComparableOutcome {
  /** State per key. */
  readonly states: Record<string, unknown>;
  /** Milestone side records per `pk`. */
  readonly milestones: Record<string, unknown>;
  /** Alert ids still waiting in an outbox. */
  readonly pending: readonly string[];
}

/** Reads the state table and the milestones table; `keys` narrows both to one test's keys. */
export async function engineOutcome(
  stack: EngineTestStack,
  keys: (pk: string) => boolean = () => true,
): Promise<ComparableOutcome> {
  const states: Record<string, unknown> = {};
  const pending: string[] = [];
  for (const item of await scan(stack.stateTable)) {
    const pk = String(item.pk);
    if (!keys(pk)) continue;
    states[pk] = item.state;
    pending.push(...((item.outbox as Alert[] | undefined) ?? []).map((alert) => alert.alertId));
  }
  const milestones: Record<string, unknown> = {};
  for (const item of await scan(stack.milestonesTable)) {
    if (keys(String(item.pk).split("#")[0]!)) milestones[String(item.pk)] = item;
  }
  return { states: sorted(states), milestones: sorted(milestones), pending: pending.sort() };
}

/** The outcome a single in-memory fold predicts, with every alert published (nothing pending). */
export function expectedOutcome(reference: ReferenceOutcome<unknown>): ComparableOutcome {
  return {
    states: sorted(Object.fromEntries(reference.states)),
    milestones: sorted(Object.fromEntries(reference.sideRecords.get("milestones") ?? new Map())),
    pending: [],
  };
}

/** Alert ids, sorted, so that a list of received alerts compares as a multiset. */
export const alertIds = (alerts: readonly { alertId: string }[]) => alerts.map((a) => a.alertId).sort();

async function scan(table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: dynamodb }, { TableName: table, ConsistentRead: true }))
    items.push(...(page.Items ?? []));
  return items;
}

const sorted = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
