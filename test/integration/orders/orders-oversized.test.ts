import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { ordersConfig, ordersSettingsFromEnv } from "../../../functions/orders/config";
import { ordersConsumer } from "../../../functions/orders/consumer";
import { sellerPartKey } from "../../../functions/orders/keys";
import type { SellerPart } from "../../../functions/orders/seller-window";
import { createKafkaHandler, engineOptionsFromEnv } from "../../../functions/shared/engine/handler";
import type { RejectedRecord } from "../../../functions/shared/engine/types";
import { templateFunction } from "../../../local/function-env";
import { buildKafkaEvent } from "../../../local/kafka-event";
import { drainQueue } from "../../support/alert-inbox";
import { orderEvent } from "../../support/orders";
import { lambdaContext, orderRecords } from "../../support/orders-delivery";
import { quiet } from "../../support/quiet";
import { createTestStack, stackTemplate } from "../../support/stack";

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

// The schema bounds orderId, so DynamoDB never sees this order; engine-permanent.test.ts covers an item DynamoDB refuses.
describe("an order whose 450 KB orderId no seller window could store", () => {
  it("is rejected with the schema's reason, the partition is not reported failed, and its later orders are applied", async () => {
    const env = templateFunction(
      stackTemplate(),
      await createTestStack("orders-oversized"),
      "functions/orders/handler.ts",
    ).environment;
    const handler = createKafkaHandler(
      ordersConsumer,
      () => engineOptionsFromEnv(ordersConfig(ordersSettingsFromEnv(env)), env),
      quiet(),
    );
    const hugeId = `O-${"x".repeat(450 * 1024)}`;
    const records = orderRecords(
      ["O-1", hugeId, "O-3"].map((orderId, i) => ({
        event: orderEvent({ orderId, eventId: `e-${i}` }),
        partition: 0,
      })),
    );

    const response = await handler(buildKafkaEvent(records), lambdaContext);

    expect(response).toEqual({ batchItemFailures: [] });
    const rejected = await drainQueue<RejectedRecord>(env.REJECTED_QUEUE_URL!);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      offset: 1,
      reason: "schema: orderId: must be at most 64 bytes of UTF-8",
      key: { bytes: hugeId.length, truncated: true },
      value: { truncated: true },
    });
    const { Item } = await dynamodb.send(
      new GetCommand({
        TableName: env.STATE_TABLE_NAME!,
        Key: { pk: sellerPartKey("S-1", 0) },
        ConsistentRead: true,
      }),
    );
    const window = Item?.state as SellerPart;
    expect(window.minutes.flatMap((minute) => minute.placedIds)).toEqual(["O-1", "O-3"]);
  });
});
