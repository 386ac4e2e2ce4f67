import { describe, expect, it } from "vitest";
import { sessionsConfig } from "../../../functions/sessions/config";
import { sessionsConsumer } from "../../../functions/sessions/consumer";
import { EXPIRY_SHARDS, expiryShardOf } from "../../../functions/sessions/expiry-index";
import type { Click } from "../../../functions/sessions/schema";
import { type SessionState, sessionIdOf } from "../../../functions/sessions/session";
import type { ConsumerRecord, Reduction } from "../../../functions/shared/engine/types";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const MINUTE = 60_000;
const GAP = 30 * MINUTE;
let nextOffset = 0;

function click(at: number, page = "/home", userId = "U-1"): ConsumerRecord<Click> {
  const offset = nextOffset++;
  return {
    topic: "theworldshop.clicks",
    partition: 0,
    offset,
    key: userId,
    timestamp: at,
    headers: {},
    value: { eventId: `E-${offset}`, userId, page, eventTime: new Date(at).toISOString() },
  };
}

/** Folds clicks through the reducer in order, as the engine does for one key. */
function fold(clicks: readonly ConsumerRecord<Click>[], from?: SessionState) {
  let state = from;
  const reductions: Reduction<SessionState>[] = [];
  for (const record of clicks) {
    const reduction = sessionsConsumer.reduce(record.value.userId, state, record, sessionsConfig);
    reductions.push(reduction);
    state = reduction.state;
  }
  return { state: state!, reductions, ended: reductions.flatMap((r) => r.records ?? []) };
}

describe("sessions: sessionization of clicks", () => {
  it("starts a session on a user's first click", () => {
    const first = click(T0, "/products/P-1");
    const { state, reductions } = fold([first]);
    expect(state.active).toEqual({
      sessionId: sessionIdOf("U-1", first),
      start: "2026-12-01T10:00:00.000Z",
      lastClick: "2026-12-01T10:00:00.000Z",
      clicks: 1,
      pages: ["/products/P-1"],
    });
    expect(reductions[0]!.records ?? []).toEqual([]);
  });

  it("extends the session with a click within 30 minutes of the last", () => {
    const { state, ended } = fold([click(T0), click(T0 + 10 * MINUTE, "/cart"), click(T0 + 35 * MINUTE)]);
    expect(state.active).toMatchObject({
      start: "2026-12-01T10:00:00.000Z",
      lastClick: "2026-12-01T10:35:00.000Z",
      clicks: 3,
      pages: ["/home", "/cart"],
    });
    expect(ended).toEqual([]);
  });

  it("extends the session with a click at 29:59.999 after the last click", () => {
    const { state, ended } = fold([click(T0), click(T0 + GAP - 1)]);
    expect(state.active).toMatchObject({ clicks: 2, lastClick: "2026-12-01T10:29:59.999Z" });
    expect(ended).toEqual([]);
  });

  it("ends the session at its last click and starts a new one with a click exactly 30:00 after it", () => {
    const first = click(T0, "/home");
    const last = click(T0 + 5 * MINUTE, "/cart");
    const next = click(T0 + 5 * MINUTE + GAP, "/checkout");
    const { state, ended } = fold([first, last, next]);
    expect(ended).toEqual([
      {
        table: "endedSessions",
        item: {
          sessionId: sessionIdOf("U-1", first),
          userId: "U-1",
          start: "2026-12-01T10:00:00.000Z",
          end: "2026-12-01T10:05:00.000Z",
          clicks: 2,
          pages: ["/home", "/cart"],
        },
      },
    ]);
    expect(state.active).toEqual({
      sessionId: sessionIdOf("U-1", next),
      start: "2026-12-01T10:35:00.000Z",
      lastClick: "2026-12-01T10:35:00.000Z",
      clicks: 1,
      pages: ["/checkout"],
    });
  });

  it("moves start earlier for a late click and keeps lastClick at the latest click", () => {
    const first = click(T0 + 10 * MINUTE);
    const { state, ended } = fold([first, click(T0 + 20 * MINUTE), click(T0, "/late")]);
    expect(state.active).toEqual({
      sessionId: sessionIdOf("U-1", first),
      start: "2026-12-01T10:00:00.000Z",
      lastClick: "2026-12-01T10:20:00.000Z",
      clicks: 3,
      pages: ["/home", "/late"],
    });
    expect(ended).toEqual([]);
  });

  it("keeps each distinct page once and at most maxPages of them", () => {
    const pages = Array.from({ length: sessionsConfig.maxPages + 5 }, (_, n) => `/products/P-${n}`);
    const clicks = [...pages, ...pages].map((page, n) => click(T0 + n * 1000, page));
    const { state } = fold(clicks);
    expect(state.active?.clicks).toBe(clicks.length);
    expect(state.active?.pages).toEqual(pages.slice(0, sessionsConfig.maxPages));
  });

  it("starts a new session for a click after the sweeper ended the last one", () => {
    const next = click(T0 + 10 * MINUTE);
    const { state, ended } = fold([next], { active: null });
    expect(state.active).toMatchObject({ sessionId: sessionIdOf("U-1", next), clicks: 1 });
    expect(ended).toEqual([]);
  });

  it("lists an active session under the user's expiry shard until lastClick + 30 minutes", () => {
    const { reductions } = fold([click(T0), click(T0 + 7 * MINUTE), click(T0 + 2 * MINUTE)]);
    expect(reductions.map((r) => r.indexAttributes)).toEqual([
      { expiryShard: expiryShardOf("U-1"), sessionExpiresAt: T0 + GAP },
      { expiryShard: expiryShardOf("U-1"), sessionExpiresAt: T0 + 7 * MINUTE + GAP },
      { expiryShard: expiryShardOf("U-1"), sessionExpiresAt: T0 + 7 * MINUTE + GAP },
    ]);
  });

  it("spreads users over every expiry shard", () => {
    const shards = new Set(Array.from({ length: 200 }, (_, n) => expiryShardOf(`U-${n}`)));
    expect([...shards].sort()).toEqual([...EXPIRY_SHARDS].sort());
  });

  it("gives the same session id for the same starting record only", () => {
    const coordinates = { topic: "theworldshop.clicks", partition: 2, offset: 41 };
    expect(sessionIdOf("U-1", coordinates)).toBe(sessionIdOf("U-1", { ...coordinates }));
    expect(sessionIdOf("U-1", coordinates)).not.toBe(sessionIdOf("U-1", { ...coordinates, offset: 42 }));
    expect(sessionIdOf("U-1", coordinates)).not.toBe(sessionIdOf("U-2", coordinates));
  });
});

describe("sessions: the click schema", () => {
  const valid = { eventId: "E-1", userId: "U-1", page: "/home", eventTime: "2026-12-01T10:00:00Z" };

  it("accepts a click with or without a product", () => {
    expect(sessionsConsumer.schema.safeParse(valid).success).toBe(true);
    expect(sessionsConsumer.schema.safeParse({ ...valid, productId: "P-1" }).success).toBe(true);
  });

  it("rejects a click without a user, page or valid UTC event time", () => {
    for (const bad of [
      { ...valid, userId: undefined },
      { ...valid, userId: "" },
      { ...valid, page: 3 },
      { ...valid, eventTime: "yesterday" },
      { ...valid, eventTime: "2026-02-30T10:00:00Z" },
      { ...valid, eventTime: "2026-12-01T10:00:00+01:00" },
    ]) {
      expect(sessionsConsumer.schema.safeParse(bad).success).toBe(false);
    }
  });

  it("keys a click by its user", () => {
    expect(sessionsConsumer.stateKeys(click(T0, "/home", "U-9"), sessionsConfig)).toEqual(["U-9"]);
  });
});
