import { describe, expect, it } from "vitest";
import { inventoryValueSchema, PRODUCT_ID_PATTERN } from "../../../functions/inventory/schema";

const valid = { eventId: "e-1", productId: "P-123", quantity: 7, eventTime: "2026-12-01T23:03:12Z" };

describe("inventory value schema", () => {
  it("accepts a snapshot with or without the optional warehouse and product name", () => {
    expect(inventoryValueSchema.parse(valid)).toEqual(valid);
    const full = {
      ...valid,
      quantity: 0,
      warehouseId: "W-1",
      productName: "Blue mug",
      eventTime: "2026-12-01T23:03:12.345Z",
    };
    expect(inventoryValueSchema.parse(full)).toEqual(full);
  });

  it.each([
    ["a negative quantity", { ...valid, quantity: -1 }],
    ["a fractional quantity", { ...valid, quantity: 2.5 }],
    ["a quantity as text", { ...valid, quantity: "7" }],
    ["an unsafe integer quantity", { ...valid, quantity: 2 ** 60 }],
    ["a time that is not ISO-8601", { ...valid, eventTime: "yesterday" }],
    ["a time with an offset instead of UTC", { ...valid, eventTime: "2026-12-01T23:03:12+01:00" }],
    ["a date without a time", { ...valid, eventTime: "2026-12-01" }],
    ["an impossible date", { ...valid, eventTime: "2026-02-30T10:00:00Z" }],
    ["a bad product id", { ...valid, productId: "P 123" }],
    ["an empty event id", { ...valid, eventId: "" }],
    ["a null product name", { ...valid, productName: null }],
  ])("rejects %s", (_, value) => {
    expect(inventoryValueSchema.safeParse(value).success).toBe(false);
  });

  it.each(["eventId", "productId", "quantity", "eventTime"])("rejects a snapshot without %s", (field) => {
    const { [field as keyof typeof valid]: _, ...missing } = valid;
    expect(inventoryValueSchema.safeParse(missing).success).toBe(false);
  });

  it("defines product ids as 1–64 letters, digits, dot, underscore or dash, starting alphanumeric", () => {
    for (const id of ["P-1", "sku_9.blue", "A", "a".repeat(64)])
      expect(PRODUCT_ID_PATTERN.test(id)).toBe(true);
    for (const id of ["", "-P", ".P", "P/1", "P 1", "a".repeat(65), "P-1\n"])
      expect(PRODUCT_ID_PATTERN.test(id)).toBe(false);
  });
});
