import { describe, expect, it } from "vitest";
import { cardVelocityConsumer } from "../../../functions/card-velocity/consumer";
import { containsCardNumber, maskCardNumbers, passesLuhn } from "../../../functions/shared/card-numbers";
import { payment } from "./fold";

// Published test card numbers (Visa, Mastercard, Amex, Visa 13 and 19 digits): all Luhn-valid.
const TEST_CARDS = [
  "4111111111111111",
  "5555555555554444",
  "378282246310005",
  "4222222222222",
  "4111111111111111110",
];

describe("card numbers: Luhn detection", () => {
  it("passes the Luhn check for test card numbers and fails it for a changed digit", () => {
    for (const card of TEST_CARDS) expect(passesLuhn(card), card).toBe(true);
    expect(passesLuhn("4111111111111112")).toBe(false);
    expect(passesLuhn("41111111a1111111")).toBe(false);
  });

  it("finds a test card number as a run of digits anywhere in a value", () => {
    for (const card of TEST_CARDS) {
      expect(containsCardNumber(`{"orderId":"${card}"}`), card).toBe(true);
      expect(containsCardNumber(`note: card${card}x`), card).toBe(true);
    }
  });

  it("finds card numbers written in groups with spaces or dashes", () => {
    expect(containsCardNumber("4111 1111 1111 1111")).toBe(true);
    expect(containsCardNumber("4111-1111-1111-1111")).toBe(true);
    expect(containsCardNumber("3782 822463 10005")).toBe(true);
    expect(containsCardNumber("ref 12 4111 1111 1111 1111 99")).toBe(true);
  });

  it("allows a 16-digit run that fails the Luhn check, and runs too short or too long to be a card", () => {
    expect(containsCardNumber('{"orderId":"4111111111111112"}')).toBe(false);
    expect(containsCardNumber("411111111111")).toBe(false);
    expect(containsCardNumber("41111111111111111111")).toBe(false);
    expect(containsCardNumber('{"eventTime":"2026-12-01T12:00:25.000Z","amount":{"value":4999}}')).toBe(
      false,
    );
  });

  it("does not join digits across two separators or other characters", () => {
    expect(containsCardNumber("4111  1111 1111 1111")).toBe(false);
    expect(containsCardNumber("4111 1111,1111 1111")).toBe(false);
  });
});

describe("card numbers: masking", () => {
  it("masks a card number keeping only its last 4 digits", () => {
    expect(maskCardNumbers("4111111111111111")).toBe("************1111");
    expect(maskCardNumbers('{"orderId":"378282246310005"}')).toBe('{"orderId":"***********0005"}');
  });

  it("masks grouped card numbers digit by digit, keeping the separators", () => {
    expect(maskCardNumbers("card 4111 1111 1111 1111 ok")).toBe("card **** **** **** 1111 ok");
    expect(maskCardNumbers("5555-5555-5555-4444")).toBe("****-****-****-4444");
  });

  it("masks every card number of a text and leaves other digits alone", () => {
    const text = "a=4111111111111111 b=5555555555554444 order=4111111111111112 qty=3";

    expect(maskCardNumbers(text)).toBe("a=************1111 b=************4444 order=4111111111111112 qty=3");
  });

  it("leaves nothing a second pass would find", () => {
    const masked = maskCardNumbers("4111 1111 1111 1111 4242424242424242");

    expect(containsCardNumber(masked)).toBe(false);
    expect(maskCardNumbers(masked)).toBe(masked);
  });
});

describe("card numbers: the fraud-signals schema", () => {
  it("refuses a card fingerprint or transaction id that is a card number, even past the screen", () => {
    const schema = cardVelocityConsumer.schema;

    expect(schema.safeParse({ ...payment("tx-1", 0), cardFingerprint: "4111111111111111" }).success).toBe(
      false,
    );
    expect(schema.safeParse({ ...payment("tx-1", 0), cardFingerprint: "4111-1111-1111-1111" }).success).toBe(
      false,
    );
    expect(schema.safeParse({ ...payment("4111111111111111", 0) }).success).toBe(false);
    expect(schema.safeParse({ ...payment("tx-1", 0), cardFingerprint: "4111111111111112" }).success).toBe(
      true,
    );
  });

  it("refuses amounts that are not integer minor units with a 3-letter currency", () => {
    const schema = cardVelocityConsumer.schema;

    expect(
      schema.safeParse({ ...payment("tx-1", 0), amount: { value: 49.99, currency: "EUR" } }).success,
    ).toBe(false);
    expect(
      schema.safeParse({ ...payment("tx-1", 0), amount: { value: 4999, currency: "EURO" } }).success,
    ).toBe(false);
    expect(schema.safeParse({ ...payment("tx-1", 0), eventTime: "2026-12-01 12:00" }).success).toBe(false);
  });
});
