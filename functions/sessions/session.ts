import { createHash } from "node:crypto";
import type { RecordCoordinates } from "../shared/engine/types";

/** The name of the side table ended sessions go to (`SideRecord.table`, env `SIDE_TABLE_ENDEDSESSIONS`). */
export const ENDED_SESSIONS_TABLE = "endedSessions";

/** A user's session that has not ended yet. Times are event times, ISO-8601 UTC. */
export interface ActiveSession {
  /** Derived from the record that started the session, so it stays put when a late click moves `start`. */
  readonly sessionId: string;
  readonly start: string;
  readonly lastClick: string;
  readonly clicks: number;
  /** Distinct pages in the order first seen, at most `SessionsConfig.maxPages`. */
  readonly pages: readonly string[];
}

/** A user's state: the active session, or null once it ended and no click has started another. */
export interface SessionState {
  readonly active: ActiveSession | null;
}

/** A session as recorded in the endedSessions table, keyed by `sessionId` (a type, so it is a valid item). */
export type EndedSession = {
  readonly sessionId: string;
  readonly userId: string;
  readonly start: string;
  /** The session's last click. */
  readonly end: string;
  readonly clicks: number;
  readonly pages: readonly string[];
};

/** The same id for the same starting record, whoever replays it. */
export function sessionIdOf(userId: string, first: RecordCoordinates): string {
  return createHash("sha256")
    .update(JSON.stringify([userId, first.topic, first.partition, first.offset]), "utf8")
    .digest("hex")
    .slice(0, 32);
}

/** What the endedSessions table holds for `session` once it ended (end = its last click). */
export function endedSession(userId: string, session: ActiveSession): EndedSession {
  return {
    sessionId: session.sessionId,
    userId,
    start: session.start,
    end: session.lastClick,
    clicks: session.clicks,
    pages: [...session.pages],
  };
}
