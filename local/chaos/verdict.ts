import type { ReceivedAlert } from "../alert-inbox";
import type { RejectedSummary, ReplayAlert } from "../replay/replay";
import type { SellerMinutes, StateSections } from "../replay/sections";

/** The alert type whose alerts depend on the order partitions' records arrive in (docs/exactly-once.md). */
export const ORDER_DEPENDENT_ALERT_TYPES: ReadonlySet<string> = new Set(["SELLER_CANCELLATION_RATE"]);

/** What one side of the comparison shows: the shop's state, the seller windows' counts, rejected records. */
export interface Outcome {
  readonly sections: StateSections;
  readonly sellers: SellerMinutes;
  readonly rejected: readonly RejectedSummary[];
}

export interface Verdict {
  /** Sections' entries (a product, a minute, a flag, a session, a seller minute) that differ: must be 0. */
  readonly stateMismatches: number;
  /** Up to 20 of them, for people: `section key: expected … got …`. */
  readonly mismatches: readonly string[];
  readonly alerts: {
    readonly expected: number;
    /** Distinct expected alerts received. */
    readonly received: number;
    /** Deliveries beyond the first of an alertId (a crash between publish and acknowledgement repeats one). */
    readonly duplicated: number;
    readonly lost: number;
    /** Received alerts the reference does not produce, or with other content under the same alertId. */
    readonly unexpected: number;
  };
  /** Seller alerts, compared apart: they may differ with the partitions' arrival order. */
  readonly sellerAlerts: { readonly expected: number; readonly received: number; readonly differing: number };
  readonly rejected: { readonly expected: number; readonly received: number; readonly differing: number };
}

/** Compares a chaos run's outcome with the reference fold of the same input (a replay with no faults). */
export function judge(
  reference: Outcome & { readonly alerts: readonly ReplayAlert[] },
  observed: Outcome & { readonly deliveries: readonly ReceivedAlert[] },
): Verdict {
  const mismatches: string[] = [];
  const compare = (section: string, expected: Record<string, unknown>, got: Record<string, unknown>) => {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(got)])) {
      const want = JSON.stringify(expected[key]);
      const have = JSON.stringify(got[key]);
      if (want !== have)
        mismatches.push(`${section} ${key}: expected ${want ?? "nothing"}, got ${have ?? "nothing"}`);
    }
  };
  const ref = reference.sections;
  const obs = observed.sections;
  compare("inventory", ref.inventory, obs.inventory);
  compare("ordersPerMinute", ref.ordersPerMinute, obs.ordersPerMinute);
  compare("fraudFlags", asSet(ref.fraudFlags), asSet(obs.fraudFlags));
  compare("endedSessions", sessionsByKey(ref), sessionsByKey(obs));
  compare("sessions", { active: ref.sessions.active }, { active: obs.sessions.active });
  compare("sellers", flattenSellers(reference.sellers), flattenSellers(observed.sellers));

  const expected = new Map(reference.alerts.map((alert) => [alert.alertId, alert]));
  const seen = new Map<string, number>();
  let unexpected = 0;
  let sellerDiffering = 0;
  for (const alert of observed.deliveries) {
    const times = (seen.get(alert.alertId) ?? 0) + 1;
    seen.set(alert.alertId, times);
    const want = expected.get(alert.alertId);
    const same = want !== undefined && sameAlert(want, alert);
    // A repeated delivery must repeat the alert: each one that differs counts; an id the fold lacks counts once.
    if (times > 1 && (same || want === undefined)) continue;
    if (!same && ORDER_DEPENDENT_ALERT_TYPES.has(alert.alertType)) sellerDiffering += 1;
    else if (!same) unexpected += 1;
  }
  const isSeller = (alert: ReplayAlert) => ORDER_DEPENDENT_ALERT_TYPES.has(alert.alertType);
  const orderFree = reference.alerts.filter((alert) => !isSeller(alert));
  const sellers = reference.alerts.filter(isSeller);
  const received = orderFree.filter((alert) => seen.has(alert.alertId)).length;
  const sellersReceived = sellers.filter((alert) => seen.has(alert.alertId)).length;
  const rejectedKey = (entry: RejectedSummary) =>
    `${entry.topic}/${entry.partition}/${entry.offset} ${entry.reason}`;
  const wantRejected = new Set(reference.rejected.map(rejectedKey));
  const gotRejected = new Set(observed.rejected.map(rejectedKey));
  return {
    stateMismatches: mismatches.length,
    mismatches: mismatches.slice(0, 20),
    alerts: {
      expected: orderFree.length,
      received,
      duplicated: observed.deliveries.length - seen.size,
      lost: orderFree.length - received,
      unexpected,
    },
    sellerAlerts: {
      expected: sellers.length,
      received: sellersReceived,
      differing: sellers.length - sellersReceived + sellerDiffering,
    },
    rejected: {
      expected: wantRejected.size,
      received: [...gotRejected].filter((key) => wantRejected.has(key)).length,
      differing: symmetricDifference(wantRejected, gotRejected),
    },
  };
}

function sameAlert(want: ReplayAlert, got: ReceivedAlert): boolean {
  return (
    want.alertType === got.alertType &&
    want.subjectId === got.subjectId &&
    want.eventTime === got.eventTime &&
    want.message === got.message
  );
}

function asSet(values: readonly string[]): Record<string, true> {
  return Object.fromEntries(values.map((value) => [value, true]));
}

function sessionsByKey(sections: StateSections): Record<string, number> {
  return Object.fromEntries(
    sections.sessions.ended.map((session) => [
      `${session.userId} ${session.start}–${session.end}`,
      session.clicks,
    ]),
  );
}

function flattenSellers(sellers: SellerMinutes): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(sellers).flatMap(([seller, minutes]) =>
      Object.entries(minutes).map(([minute, counts]) => [`${seller} ${minute}`, counts]),
    ),
  );
}

function symmetricDifference(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  return [...a].filter((key) => !b.has(key)).length + [...b].filter((key) => !a.has(key)).length;
}
