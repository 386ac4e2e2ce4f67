import * as z from "zod";
import { settingsEnvironment, settingsFromEnv } from "../shared/env";

/** Card velocity (rules.md): a transaction is flagged when more than maxTransactions fall in (t − windowSeconds, t]. */
export const cardVelocitySettingsSchema = z
  .strictObject({
    maxTransactions: z.number().int().min(1).default(5),
    windowSeconds: z.number().int().min(1).max(300).default(60),
  })
  .prefault({});
export type CardVelocitySettings = z.infer<typeof cardVelocitySettingsSchema>;

/** The card velocity rule's thresholds (rules.md "Card velocity"). */
export interface CardVelocityConfig {
  /** A transaction is flagged when more than this many of the card's transactions fall in its window. */
  readonly maxTransactions: number;
  /** The window `(t − windowSeconds, t]` counted at each new transaction. */
  readonly windowSeconds: number;
  /**
   * Event time of a card's transactions kept, back from its newest one. A transaction older than
   * newest − (keepSeconds − windowSeconds) is too late to screen, so its window always lies in what is kept.
   */
  readonly keepSeconds: number;
  /** Seconds (past the newest transaction's event time) after which DynamoDB may delete an idle card's state. */
  readonly idleStateSeconds: number;
}

export const CARD_VELOCITY_CONFIG: CardVelocityConfig = {
  ...cardVelocitySettingsSchema.parse({}),
  // Six minutes, and never less than a minute past the longest window (300 s), for late transactions.
  keepSeconds: 6 * 60,
  idleStateSeconds: 24 * 60 * 60,
};

/** Environment variable per setting, as the stack writes them from `theworldshop:cardVelocity`. */
export const CARD_VELOCITY_ENV = {
  maxTransactions: "CARD_VELOCITY_MAX_TRANSACTIONS",
  windowSeconds: "CARD_VELOCITY_WINDOW_SECONDS",
} as const satisfies Record<keyof CardVelocitySettings, string>;

/** The settings as environment variables for the consumer function. */
export function cardVelocityEnvironment(settings: CardVelocitySettings): Record<string, string> {
  return settingsEnvironment(settings, CARD_VELOCITY_ENV);
}

/** The rule's config from the consumer's environment; fails naming a missing or invalid variable. */
export function cardVelocityConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CardVelocityConfig {
  return {
    ...CARD_VELOCITY_CONFIG,
    ...settingsFromEnv(cardVelocitySettingsSchema.unwrap(), CARD_VELOCITY_ENV, env),
  };
}
