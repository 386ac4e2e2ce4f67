import * as z from "zod";
import { settingsEnvironment, settingsFromEnv } from "../shared/env";

/** Sessions (rules.md): the gap G without clicks that ends a session. */
export const sessionsSettingsSchema = z
  .strictObject({
    gapMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
  })
  .prefault({});
export type SessionsSettings = z.infer<typeof sessionsSettingsSchema>;

/** The sessionization settings; the defaults are the shop's rules. */
export interface SessionsConfig {
  /** Inactivity gap G that ends a session, milliseconds. */
  readonly gapMs: number;
  /** Most distinct pages a session remembers, so a state item stays small however long the session. */
  readonly maxPages: number;
}

const MAX_PAGES = 25;

/** The config for `settings`: the gap in milliseconds, as the consumer measures it. */
export function sessionsConfigOf(settings: SessionsSettings): SessionsConfig {
  return { gapMs: settings.gapMinutes * 60 * 1000, maxPages: MAX_PAGES };
}

export const sessionsConfig: SessionsConfig = sessionsConfigOf(sessionsSettingsSchema.parse({}));

/** Environment variable per setting, as the stack writes them from `theworldshop:sessions`. */
export const SESSIONS_ENV = {
  gapMinutes: "SESSIONS_GAP_MINUTES",
} as const satisfies Record<keyof SessionsSettings, string>;

/** The settings as environment variables for the consumer function. */
export function sessionsEnvironment(settings: SessionsSettings): Record<string, string> {
  return settingsEnvironment(settings, SESSIONS_ENV);
}

/** The consumer's config from its environment; fails naming a missing or invalid variable. */
export function sessionsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SessionsConfig {
  return sessionsConfigOf(settingsFromEnv(sessionsSettingsSchema.unwrap(), SESSIONS_ENV, env));
}
