/** The sessionization settings; the defaults are the shop's rules. */
export interface SessionsConfig {
  /** Inactivity gap G that ends a session, milliseconds. */
  readonly gapMs: number;
  /** Most distinct pages a session remembers, so a state item stays small however long the session. */
  readonly maxPages: number;
}

export const sessionsConfig: SessionsConfig = {
  gapMs: 30 * 60 * 1000,
  maxPages: 25,
};
