import { describe, expect, it } from "vitest";
import { itemBytes } from "../../../functions/shared/engine/item-size";

describe("an item's size as DynamoDB counts it", () => {
  it("counts names and values as DynamoDB does, with a map's and a list's overhead", () => {
    // pk 2 + 9; version 7 + 2 (two digits: one byte, plus one); state 5 + a map of 3 + (1 + 1 + [3 + 3 + 3]); on 2 + 1.
    expect(itemBytes({ pk: "card#1234", version: 12, state: { n: [1, 2] }, on: true })).toBe(11 + 9 + 19 + 3);
  });

  it("counts strings in UTF-8 bytes and skips undefined attributes", () => {
    expect(itemBytes({ city: "Zürich", gone: undefined })).toBe(4 + 7);
  });
});
