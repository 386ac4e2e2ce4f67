import * as z from "zod";
import { boundedId, boundedText, eventTimeSchema } from "../shared/bounded-fields";

/** A click on `theworldshop.clicks`, keyed by `userId`. */
export const clickSchema = z.object({
  eventId: boundedId(),
  userId: boundedId(256),
  // A session keeps at most 25 distinct pages: 25 × 2 KB stays far below DynamoDB's 400 KB item size.
  page: boundedText(2048),
  productId: boundedId().optional(),
  eventTime: eventTimeSchema,
});

export type Click = z.infer<typeof clickSchema>;
