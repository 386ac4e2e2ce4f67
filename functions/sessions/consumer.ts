import type { Consumer, ConsumerRecord, Reduction } from "../shared/engine/types";
import type { SessionsConfig } from "./config";
import { expiryShardOf, SESSION_EXPIRY_INDEX } from "./expiry-index";
import { type Click, clickSchema } from "./schema";
import {
  type ActiveSession,
  ENDED_SESSIONS_TABLE,
  endedSession,
  type SessionState,
  sessionIdOf,
} from "./session";

/**
 * Click sessionization per user: a click at least the gap after the session's last click ends the session
 * and starts a new one; any other click joins the active session, wherever it falls in event time.
 */
export const sessionsConsumer: Consumer<Click, SessionState, SessionsConfig> = {
  name: "sessions",
  schema: clickSchema,
  stateKeys: (record) => [record.value.userId],
  reduce(userId, state, record, config) {
    const active = state?.active ?? null;
    const at = Date.parse(record.value.eventTime);
    if (active === null) return started(userId, record, at, config);
    if (at - Date.parse(active.lastClick) >= config.gapMs) {
      const next = started(userId, record, at, config);
      return {
        ...next,
        records: [{ table: ENDED_SESSIONS_TABLE, item: endedSession(userId, active) }],
      };
    }
    const session: ActiveSession = {
      sessionId: active.sessionId,
      start: Date.parse(active.start) <= at ? active.start : isoOf(at),
      lastClick: Date.parse(active.lastClick) >= at ? active.lastClick : isoOf(at),
      clicks: active.clicks + 1,
      pages: withPage(active.pages, record.value.page, config.maxPages),
    };
    return reduction(userId, session, config);
  },
};

function started(
  userId: string,
  record: ConsumerRecord<Click>,
  at: number,
  config: SessionsConfig,
): Reduction<SessionState> {
  const session: ActiveSession = {
    sessionId: sessionIdOf(userId, record),
    start: isoOf(at),
    lastClick: isoOf(at),
    clicks: 1,
    pages: [record.value.page],
  };
  return reduction(userId, session, config);
}

/** The state and the expiry index attributes that let the sweeper find the session when it times out. */
function reduction(userId: string, session: ActiveSession, config: SessionsConfig): Reduction<SessionState> {
  return {
    state: { active: session },
    indexAttributes: {
      [SESSION_EXPIRY_INDEX.partitionKey]: expiryShardOf(userId),
      [SESSION_EXPIRY_INDEX.sortKey]: Date.parse(session.lastClick) + config.gapMs,
    },
  };
}

function withPage(pages: readonly string[], page: string, maxPages: number): readonly string[] {
  if (pages.includes(page) || pages.length >= maxPages) return pages;
  return [...pages, page];
}

/** Event times kept to the millisecond, the precision the gap is measured in. */
function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
