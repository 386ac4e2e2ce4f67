import * as z from "zod";
import { amountSchema, boundedId, eventTimeSchema } from "../shared/bounded-fields";

export const ORDER_EVENT_TYPES = ["ORDER_PLACED", "ORDER_CANCELLED"] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** A seller window keeps up to MAX_KEPT_ORDER_IDS (5,000) order ids: 64 bytes each keeps it near 330 KB. */
export const MAX_ORDER_ID_BYTES = 64;

/** A value of `theworldshop.orders` (key `orderId`). */
export const orderEventSchema = z.object({
  eventId: boundedId(),
  type: z.enum(ORDER_EVENT_TYPES),
  orderId: boundedId(MAX_ORDER_ID_BYTES),
  sellerId: boundedId(),
  customerId: boundedId(),
  amount: amountSchema,
  eventTime: eventTimeSchema,
});

export type OrderEvent = z.infer<typeof orderEventSchema>;
