import { Logger } from "@aws-lambda-powertools/logger";
import { requiredEnv } from "../shared/env";
import { ENDED_SESSIONS_TABLE } from "./session";
import { type SweepResult, sweepExpiredSessions } from "./sweep";

const logger = new Logger();
const tableName = requiredEnv("STATE_TABLE_NAME");
const endedSessionsTable = requiredEnv(`SIDE_TABLE_${ENDED_SESSIONS_TABLE.toUpperCase()}`);

/**
 * Scheduled every minute: ends the sessions whose gap without a click is up (the consumer
 * writes each session's expiry from the gap it was configured with). "Now" is the scheduled
 * event's `time`, so that a replay sweeps on event time.
 */
export const handler = async (event?: { time?: string }): Promise<SweepResult> => {
  const scheduled = event?.time ? Date.parse(event.time) : Number.NaN;
  const now = Number.isNaN(scheduled) ? Date.now() : scheduled;
  const result = await sweepExpiredSessions({ tableName, endedSessionsTable, now });
  logger.info("swept timed-out sessions", { ...result });
  return result;
};
