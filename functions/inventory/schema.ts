import * as z from "zod";
import { boundedId, boundedText, eventTimeSchema } from "../shared/bounded-fields";

/** A product id as the catalogue issues them; the consumer's schema and the availability API both check it. */
export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const productIdSchema = z.string().regex(PRODUCT_ID_PATTERN, "must be a product id");

/** A stock snapshot on `theworldshop.inventory`: `quantity` is the absolute available stock, not a delta. */
export const inventoryValueSchema = z.object({
  eventId: boundedId(),
  productId: productIdSchema,
  quantity: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  eventTime: eventTimeSchema,
  warehouseId: boundedId().optional(),
  /** What the alert message calls the product, when the producer knows it. */
  productName: boundedText(600).optional(),
});

export type InventoryValue = z.infer<typeof inventoryValueSchema>;
