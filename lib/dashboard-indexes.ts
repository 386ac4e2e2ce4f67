import { AttributeType, type GlobalSecondaryIndexPropsV2, ProjectionType } from "aws-cdk-lib/aws-dynamodb";
import { DECISIONS_BY_TIME_INDEX } from "../functions/card-velocity/decisions-index";
import { STOCK_ALERT_INDEX } from "../functions/inventory/stock-index";

/**
 * The availability table's sparse index of products not IN_STOCK (pass as `extraIndexes` of its StateTable).
 * Only the quantity and name are projected besides the keys: the state's sales history stays out of it.
 */
export function stockAlertIndex(): GlobalSecondaryIndexPropsV2 {
  return {
    indexName: STOCK_ALERT_INDEX.name,
    partitionKey: { name: STOCK_ALERT_INDEX.partitionKey, type: AttributeType.STRING },
    sortKey: { name: STOCK_ALERT_INDEX.sortKey, type: AttributeType.STRING },
    projectionType: ProjectionType.INCLUDE,
    nonKeyAttributes: [STOCK_ALERT_INDEX.quantity, STOCK_ALERT_INDEX.productName],
  };
}

/** The decisions table's index by decision and event time (pass to `addGlobalSecondaryIndex` or the table's props). */
export function decisionsByTimeIndex(): GlobalSecondaryIndexPropsV2 {
  return {
    indexName: DECISIONS_BY_TIME_INDEX.name,
    partitionKey: { name: DECISIONS_BY_TIME_INDEX.partitionKey, type: AttributeType.STRING },
    sortKey: { name: DECISIONS_BY_TIME_INDEX.sortKey, type: AttributeType.STRING },
    projectionType: ProjectionType.INCLUDE,
    nonKeyAttributes: ["cardFingerprint", "count"],
  };
}
