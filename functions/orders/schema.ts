import * as z from "zod";

export const ORDER_EVENT_TYPES = ["ORDER_PLACED", "ORDER_CANCELLED"] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** An ISO-8601 UTC instant that is also a real date (the format alone lets "2026-02-31" through). */
const eventTime = z.iso
  .datetime()
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: "not a real instant" });

/** A value of `theworldshop.orders` (key `orderId`). */
export const orderEventSchema = z.object({
  eventId: z.string().min(1),
  type: z.enum(ORDER_EVENT_TYPES),
  orderId: z.string().min(1),
  sellerId: z.string().min(1),
  customerId: z.string().min(1),
  amount: z.object({
    /** Minor units (cents), so that sums are exact. */
    value: z.number().int().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  }),
  eventTime,
});

export type OrderEvent = z.infer<typeof orderEventSchema>;
