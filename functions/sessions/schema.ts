import * as z from "zod";

/** A click on `theworldshop.clicks`, keyed by `userId`. */
export const clickSchema = z.object({
  eventId: z.string().min(1),
  userId: z.string().min(1).max(256),
  // Bounded so that a session's distinct pages cannot grow a state item past DynamoDB's item size.
  page: z.string().min(1).max(2048),
  productId: z.string().min(1).optional(),
  eventTime: z.iso.datetime(),
});

export type Click = z.infer<typeof clickSchema>;
