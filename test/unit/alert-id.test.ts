import { describe, expect, it } from "vitest";
import { velocityAlertId } from "../../functions/card-velocity/reducer";
import { stockAlertId } from "../../functions/inventory/alerts";
import { sellerAlertId } from "../../functions/orders/seller-window";
import { alertIdOf } from "../../functions/shared/alert-id";

describe("alert ids", () => {
  it("are the alert type and the SHA-256 of the canonical JSON of type, subject and triggering record", () => {
    // sha256 of ["SELLER_CANCELLATION_RATE","acme211","x#1"], computed outside the project (sha256sum).
    expect(alertIdOf("SELLER_CANCELLATION_RATE", "acme211", "x#1")).toBe(
      "SELLER_CANCELLATION_RATE-af95d344890615fad2427b27025fa605d82726e434f5781c20d3234cbeb2dafc",
    );
  });

  it("differ when a seller's id and an event id run together in two ways", () => {
    expect(sellerAlertId("acme211", "x#1")).not.toBe(sellerAlertId("acme211#x", "1"));
  });

  it("differ for two cards that meet one transaction id", () => {
    expect(velocityAlertId("fp_card_a_000001", "tx-1")).not.toBe(velocityAlertId("fp_card_b_000002", "tx-1"));
  });

  it("differ for each coordinate and alert type of a stock alert, and repeat for the same ones", () => {
    const at = { topic: "theworldshop.inventory", partition: 1, offset: 23 };
    const ids = new Set([
      stockAlertId("LOW_STOCK", "P-1", at),
      stockAlertId("OUT_OF_STOCK", "P-1", at),
      stockAlertId("LOW_STOCK", "P-1", { ...at, partition: 12, offset: 3 }),
      stockAlertId("LOW_STOCK", "P-1", { ...at, offset: 24 }),
      stockAlertId("LOW_STOCK", "P-2", at),
    ]);
    expect(ids.size).toBe(5);
    expect(stockAlertId("LOW_STOCK", "P-1", at)).toBe(stockAlertId("LOW_STOCK", "P-1", { ...at }));
  });
});
