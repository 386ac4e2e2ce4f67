import { describe, expect, it } from "vitest";
import { MAX_KEPT_TRANSACTIONS } from "../../functions/card-velocity/reducer";
import { MAX_ORDER_ID_BYTES, orderEventSchema } from "../../functions/orders/schema";
import { MAX_KEPT_ORDER_IDS } from "../../functions/orders/seller-window";
import { fold, payment } from "./card-velocity/fold";
import { foldSeller, orders } from "./orders/seller-fold";

/** DynamoDB's item size limit. */
const ITEM_LIMIT = 400 * 1024;
// JSON spends more bytes than DynamoDB does on strings, numbers, lists and maps: an upper bound of its count.
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

describe("item size bounds: no record stream can grow a state item past 400 KB", () => {
  it("keeps a seller window of the longest order ids allowed under 340 KB, leaving room for fences and outbox", () => {
    const longIds = Array.from({ length: MAX_KEPT_ORDER_IDS + 500 }, (_, i) =>
      `O-${i}-`.padEnd(MAX_ORDER_ID_BYTES, "x"),
    );
    const events = orders(longIds.length, "ORDER_PLACED", "2026-12-01T12:00:30.000Z", longIds);
    expect(orderEventSchema.safeParse(events[0]).success).toBe(true);
    expect(orderEventSchema.safeParse({ ...events[0], orderId: `${longIds[0]}x` }).success).toBe(false);

    const { state } = foldSeller(events);

    expect(state.minutes[0]?.placed).toBe(longIds.length);
    expect(state.minutes[0]?.placedIds).toHaveLength(MAX_KEPT_ORDER_IDS);
    expect(jsonBytes(state)).toBeLessThan(340 * 1024);
  });

  it("keeps at most 1,000 transactions of the longest ids per card, under 200 KB, and still flags", () => {
    const signals = Array.from({ length: MAX_KEPT_TRANSACTIONS + 300 }, (_, i) => ({
      ...payment(`t${i}-`.padEnd(128, "y"), i / 10),
      orderId: `O-${i}`,
      eventId: `E-${i}`,
    }));

    const { state, flagged } = fold(signals);

    expect(state?.transactions).toHaveLength(MAX_KEPT_TRANSACTIONS);
    expect(state?.transactions.at(-1)?.transactionId).toBe(signals.at(-1)?.transactionId);
    expect(flagged.at(-1)).toBe(signals.at(-1)?.transactionId);
    expect(jsonBytes(state)).toBeLessThan(200 * 1024);
    expect(jsonBytes(state)).toBeLessThan(ITEM_LIMIT);
  });
});
