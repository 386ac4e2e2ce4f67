import { type DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { parseSellerPartKey } from "../../functions/orders/keys";
import { type SellerPart, sellerMinutes } from "../../functions/orders/seller-window";
import { countActiveSessions } from "../../functions/sessions/active-sessions";
import { ENDED_SESSIONS_TABLE } from "../../functions/sessions/session";
import { STATE_TABLE_SCHEMA } from "../../functions/shared/state-table-schema";
import type { FunctionDefinition } from "../lambda/functions";

/** What the section readers need: the consumer function of each topic, a client, and the replay's "now". */
export interface SectionContext {
  /** The function (with resolved environment) each topic's event source mapping invokes. */
  readonly consumerOf: (topic: string) => FunctionDefinition | undefined;
  readonly topics: {
    readonly inventory: string;
    readonly orders: string;
    readonly fraudSignals: string;
    readonly clicks: string;
  };
  readonly dynamodb: DynamoDBDocumentClient;
  /** Epoch milliseconds: the greatest event time of the accepted records. */
  readonly now?: number;
}

export interface ProductAvailability {
  readonly quantity: number;
  readonly status: string;
  readonly asOf: string;
}

export interface MinuteOrders {
  readonly placed: number;
  readonly cancelled: number;
}

export interface EndedSessionSummary {
  readonly userId: string;
  readonly start: string;
  readonly end: string;
  readonly clicks: number;
}

export interface StateSections {
  readonly inventory: Record<string, ProductAvailability>;
  readonly ordersPerMinute: Record<string, MinuteOrders>;
  readonly fraudFlags: string[];
  readonly sessions: { readonly ended: EndedSessionSummary[]; readonly active: number };
}

/** Reads every state section from the consumers' tables; a consumer not in the stack gives an empty one. */
export async function readSections(context: SectionContext): Promise<StateSections> {
  const [inventory, ordersPerMinute, fraudFlags, sessions] = await Promise.all([
    readInventory(context),
    readOrdersPerMinute(context),
    readFraudFlags(context),
    readSessions(context),
  ]);
  return { inventory, ordersPerMinute, fraudFlags, sessions };
}

/** Availability per product: the inventory consumer's state `{ quantity, status, asOf }`, keyed by productId. */
export async function readInventory(context: SectionContext): Promise<Record<string, ProductAvailability>> {
  const table = context.consumerOf(context.topics.inventory)?.environment.STATE_TABLE_NAME;
  if (!table) return {};
  const products: [string, ProductAvailability][] = [];
  for (const item of await scanAll(context.dynamodb, table)) {
    const state = item.state as Partial<ProductAvailability> | undefined;
    if (typeof state?.quantity !== "number") continue;
    products.push([
      String(item[STATE_TABLE_SCHEMA.partitionKey]),
      { quantity: state.quantity, status: String(state.status), asOf: String(state.asOf) },
    ]);
  }
  return sortedRecord(products);
}

/** Orders per event-time minute: the orders consumer's minute shards `minute#<iso>#p<n>`, summed. */
export async function readOrdersPerMinute(context: SectionContext): Promise<Record<string, MinuteOrders>> {
  const table = context.consumerOf(context.topics.orders)?.environment.STATE_TABLE_NAME;
  if (!table) return {};
  const minutes = new Map<string, { placed: number; cancelled: number }>();
  for (const item of await scanAll(context.dynamodb, table)) {
    const match = /^minute#(.+)#p\d+$/.exec(String(item[STATE_TABLE_SCHEMA.partitionKey]));
    if (!match) continue;
    const state = item.state as Partial<MinuteOrders> | undefined;
    const total = minutes.get(match[1]!) ?? { placed: 0, cancelled: 0 };
    total.placed += state?.placed ?? 0;
    total.cancelled += state?.cancelled ?? 0;
    minutes.set(match[1]!, total);
  }
  return sortedRecord([...minutes]);
}

/** Placed and cancelled per seller and event-time minute (sellerId → minute → counts): the seller windows' counts. */
export type SellerMinutes = Record<string, Record<string, MinuteOrders>>;

/**
 * Each seller's placed and cancelled orders per minute, from the parts of its window that the orders consumer
 * keeps per partition (`sellerPart#p<partition>#<id>`), summed: what does not depend on the order in which
 * partitions' records arrive (their alerts may).
 */
export async function readSellerMinutes(context: SectionContext): Promise<SellerMinutes> {
  const table = context.consumerOf(context.topics.orders)?.environment.STATE_TABLE_NAME;
  if (!table) return {};
  const parts = new Map<string, SellerPart[]>();
  for (const item of await scanAll(context.dynamodb, table)) {
    const key = parseSellerPartKey(String(item[STATE_TABLE_SCHEMA.partitionKey]));
    const part = item.state as SellerPart | undefined;
    if (!key || !part?.minutes) continue;
    parts.set(key.sellerId, [...(parts.get(key.sellerId) ?? []), part]);
  }
  return sortedRecord(
    [...parts].map(([sellerId, ofSeller]) => [
      sellerId,
      sortedRecord(
        sellerMinutes(ofSeller).map(({ minute, placed, cancelled }) => [minute, { placed, cancelled }]),
      ),
    ]),
  );
}

/** The transactions card velocity flagged: the FLAGGED decisions the payment service reads. */
export async function readFraudFlags(context: SectionContext): Promise<string[]> {
  const table = context.consumerOf(context.topics.fraudSignals)?.environment.SIDE_TABLE_DECISIONS;
  if (!table) return [];
  const flagged = (await scanAll(context.dynamodb, table))
    .filter((item) => item.decision === "FLAGGED" && typeof item.transactionId === "string")
    .map((item) => item.transactionId as string);
  return [...new Set(flagged)].sort();
}

/** Ended sessions from the endedSessions table, and how many sessions are still active at "now". */
export async function readSessions(context: SectionContext): Promise<StateSections["sessions"]> {
  const environment = context.consumerOf(context.topics.clicks)?.environment;
  const endedTable = environment?.[`SIDE_TABLE_${ENDED_SESSIONS_TABLE.toUpperCase()}`];
  if (!environment?.STATE_TABLE_NAME || !endedTable) return { ended: [], active: 0 };
  const ended = (await scanAll(context.dynamodb, endedTable))
    .map((item) => ({
      userId: String(item.userId),
      start: String(item.start),
      end: String(item.end),
      clicks: Number(item.clicks),
    }))
    .sort(
      (a, b) =>
        a.userId.localeCompare(b.userId) || a.start.localeCompare(b.start) || a.end.localeCompare(b.end),
    );
  const active =
    context.now === undefined
      ? 0
      : await countActiveSessions({
          tableName: environment.STATE_TABLE_NAME,
          now: context.now,
          dynamodb: context.dynamodb,
        });
  return { ended, active };
}

async function scanAll(dynamodb: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: dynamodb }, { TableName: table, ConsistentRead: true })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

function sortedRecord<T>(entries: readonly [string, T][]): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
