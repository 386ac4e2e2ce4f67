import * as z from "zod";
import { amountSchema, boundedId, eventTimeSchema } from "../shared/bounded-fields";
import { containsCardNumber } from "../shared/card-numbers";

const noCardNumber = (text: string) => !containsCardNumber(text);

/** A payment's id as the payment service sends it and reads its decision by. */
export const transactionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, "must be 1-128 letters, digits, '_', '.', ':' or '-'")
  .refine(noCardNumber, "must not be a card number");

/** A hash of the card, never the card number itself. */
export const cardFingerprintSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,128}$/, "must be a hash-like id of 8-128 letters, digits, '_' or '-'")
  .refine(noCardNumber, "must not be a card number");

const idSchema = boundedId();

/** A value of `theworldshop.fraud-signals`: one payment attempt with a card. */
export const fraudSignalSchema = z.object({
  eventId: idSchema,
  transactionId: transactionIdSchema,
  orderId: idSchema,
  cardFingerprint: cardFingerprintSchema,
  amount: amountSchema,
  eventTime: eventTimeSchema,
});

export type FraudSignal = z.infer<typeof fraudSignalSchema>;
