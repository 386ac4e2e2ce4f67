import { type DynamoDBDocumentClient, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { INDEXED_STOCK_STATUSES, type IndexedStockStatus, STOCK_ALERT_INDEX } from "../inventory/stock-index";
import { STATE_TABLE_SCHEMA } from "../shared/state-table-schema";

/** A product the storefront shows as low or sold out. */
export interface StockAlertProduct {
  readonly productId: string;
  readonly productName?: string;
  readonly status: IndexedStockStatus;
  readonly quantity: number;
  /** When its stock was last reported, ISO-8601 UTC. */
  readonly asOf: string;
}

export interface StockAlerts {
  /** OUT_OF_STOCK first, then LOW_STOCK; newest report first within each; at most `limit`. */
  readonly products: readonly StockAlertProduct[];
  readonly outOfStock: number;
  readonly lowStock: number;
}

export interface StockAlertsQuery {
  /** The availability state table, with the stock-alert index. */
  readonly tableName: string;
  readonly dynamodb: DynamoDBDocumentClient;
  /**
   * How many products are listed; all of them are counted.
   * @default 100
   */
  readonly limit?: number;
}

/** The products that are not IN_STOCK, from the sparse stock-alert index: one query per status. */
export async function readStockAlerts(query: StockAlertsQuery): Promise<StockAlerts> {
  const limit = query.limit ?? 100;
  const [outOfStock, lowStock] = await Promise.all(
    INDEXED_STOCK_STATUSES.map((status) => readStatus(query, status)),
  );
  return {
    products: [...outOfStock!, ...lowStock!].slice(0, limit),
    outOfStock: outOfStock!.length,
    lowStock: lowStock!.length,
  };
}

async function readStatus(query: StockAlertsQuery, status: IndexedStockStatus): Promise<StockAlertProduct[]> {
  const products: StockAlertProduct[] = [];
  const pages = paginateQuery(
    { client: query.dynamodb },
    {
      TableName: query.tableName,
      IndexName: STOCK_ALERT_INDEX.name,
      KeyConditionExpression: "#status = :status",
      ExpressionAttributeNames: { "#status": STOCK_ALERT_INDEX.partitionKey },
      ExpressionAttributeValues: { ":status": status },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const name = item[STOCK_ALERT_INDEX.productName];
      products.push({
        productId: String(item[STATE_TABLE_SCHEMA.partitionKey]),
        ...(typeof name === "string" ? { productName: name } : {}),
        status,
        quantity: Number(item[STOCK_ALERT_INDEX.quantity] ?? 0),
        asOf: String(item[STOCK_ALERT_INDEX.sortKey]),
      });
    }
  }
  return products;
}
