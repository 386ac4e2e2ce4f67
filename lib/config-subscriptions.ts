import * as z from "zod";
import { SEVERITIES } from "../functions/shared/engine/types";

/**
 * Which alerts a subscriber gets, matched on the SNS message attributes every alert carries.
 * A subscription without a filter gets every alert.
 */
const alertFilterSchema = z
  .object({
    alertType: z
      .array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an alert type such as OUT_OF_STOCK"))
      .min(1)
      .optional(),
    severity: z.array(z.enum(SEVERITIES)).min(1).optional(),
  })
  .strict()
  .refine((filter) => filter.alertType || filter.severity, { message: "needs alertType or severity" });
export type AlertFilter = z.infer<typeof alertFilterSchema>;

const endpoints = {
  email: z.email("must be an email address"),
  sms: z.string().regex(/^\+[1-9]\d{6,14}$/, "must be a phone number in E.164 form (+4915112345678)"),
  https: z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
  sqs: z
    .string()
    .regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/, "must be an SQS queue ARN"),
  lambda: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/,
      "must be a Lambda function ARN",
    ),
} as const;

function subscriptionSchema<F extends z.ZodType>(filter: F) {
  return z.discriminatedUnion(
    "protocol",
    [
      z.object({ protocol: z.literal("email"), endpoint: endpoints.email, filter }).strict(),
      z.object({ protocol: z.literal("sms"), endpoint: endpoints.sms, filter }).strict(),
      z.object({ protocol: z.literal("https"), endpoint: endpoints.https, filter }).strict(),
      z
        .object({
          protocol: z.literal("sqs"),
          endpoint: endpoints.sqs,
          /** Deliver the alert JSON itself instead of the SNS envelope. */
          rawMessageDelivery: z.boolean().default(false),
          filter,
        })
        .strict(),
      z.object({ protocol: z.literal("lambda"), endpoint: endpoints.lambda, filter }).strict(),
    ],
    { error: () => "protocol must be one of email, sms, https, sqs, lambda" },
  );
}

const alertSubscriptionSchema = subscriptionSchema(alertFilterSchema.optional());
/** Alarm notifications carry no alert attributes, so ops subscriptions take no filter. */
const opsSubscriptionSchema = subscriptionSchema(
  z
    .undefined({ error: "ops subscriptions take no filter: alarm notifications carry no alert attributes" })
    .optional(),
);

export type Subscription = z.infer<typeof alertSubscriptionSchema>;

export const alertSubscriptionsSchema = z.array(alertSubscriptionSchema).default([]);
export const opsSubscriptionsSchema = z.array(opsSubscriptionSchema).default([]);
