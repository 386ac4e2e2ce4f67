import { describe, expect, it } from "vitest";
import { stockAlertId } from "../../../functions/inventory/alerts";
import { inventoryConsumer } from "../../../functions/inventory/consumer";
import { DEFAULTS, fold, snapshot } from "./records";

const T0 = "2026-12-01T23:00:00Z";
const T1 = "2026-12-01T23:01:00Z";
const T2 = "2026-12-01T23:02:00Z";

const QUANTITY = { IN_STOCK: 50, LOW_STOCK: 5, OUT_OF_STOCK: 0 } as const;
type Status = keyof typeof QUANTITY;

describe("inventory availability: status transitions", () => {
  it.each([
    { from: undefined, to: "IN_STOCK", alert: undefined },
    { from: undefined, to: "LOW_STOCK", alert: "LOW_STOCK" },
    { from: undefined, to: "OUT_OF_STOCK", alert: "OUT_OF_STOCK" },
    { from: "IN_STOCK", to: "LOW_STOCK", alert: "LOW_STOCK" },
    { from: "IN_STOCK", to: "OUT_OF_STOCK", alert: "OUT_OF_STOCK" },
    { from: "LOW_STOCK", to: "OUT_OF_STOCK", alert: "OUT_OF_STOCK" },
    { from: "OUT_OF_STOCK", to: "LOW_STOCK", alert: undefined },
    { from: "LOW_STOCK", to: "IN_STOCK", alert: "BACK_IN_STOCK" },
    { from: "OUT_OF_STOCK", to: "IN_STOCK", alert: "BACK_IN_STOCK" },
    { from: "IN_STOCK", to: "IN_STOCK", alert: undefined },
    { from: "LOW_STOCK", to: "LOW_STOCK", alert: undefined },
    { from: "OUT_OF_STOCK", to: "OUT_OF_STOCK", alert: undefined },
  ] as { from?: Status; to: Status; alert?: string }[])(
    "$from → $to alerts $alert",
    ({ from, to, alert }) => {
      const before = from === undefined ? undefined : fold([snapshot(QUANTITY[from], T0)]).state;
      const record = snapshot(from === to ? QUANTITY[to] - Math.sign(QUANTITY[to]) : QUANTITY[to], T1);

      const { state, alerts } = fold([record], DEFAULTS, before);

      expect(state).toMatchObject({ quantity: record.value.quantity, status: to, asOf: T1 });
      expect(alerts.map((a) => a.alertType)).toEqual(alert === undefined ? [] : [alert]);
    },
  );

  it("puts a quantity at exactly the threshold in stock and one below it low", () => {
    expect(fold([snapshot(10, T0)]).state?.status).toBe("IN_STOCK");
    expect(fold([snapshot(9, T0)]).state?.status).toBe("LOW_STOCK");
    expect(fold([snapshot(1, T0)]).state?.status).toBe("LOW_STOCK");
  });

  it("raises alerts with a deterministic id, the rule's severity and the record's event time", () => {
    const out = snapshot(0, T1, {}, 41);
    const { alerts } = fold([snapshot(50, T0, {}, 40), out]);

    expect(alerts).toEqual([
      expect.objectContaining({
        alertId: stockAlertId("OUT_OF_STOCK", "P-123", {
          topic: "theworldshop.inventory",
          partition: 0,
          offset: 41,
        }),
        alertType: "OUT_OF_STOCK",
        severity: "critical",
        subjectId: "P-123",
        eventTime: T1,
      }),
    ]);
    expect(fold([snapshot(5, T0)]).alerts[0]?.severity).toBe("warning");
    expect(fold([snapshot(0, T0), snapshot(50, T1)]).alerts[1]?.severity).toBe("info");
  });
});

describe("inventory availability: stale records", () => {
  it("counts a record older than asOf without changing availability or alerting", () => {
    const { state: before } = fold([snapshot(50, T1)]);

    const { state, alerts } = fold([snapshot(0, T0)], DEFAULTS, before);

    expect(alerts).toEqual([]);
    expect(state).toEqual({ ...before, staleIgnored: 1 });
  });

  it("treats a record at exactly asOf, a re-sent snapshot, as stale", () => {
    const { state: before } = fold([snapshot(50, T1)]);

    const { state, alerts } = fold(
      [snapshot(5, T1), snapshot(50, "2026-12-01T23:01:00.000Z")],
      DEFAULTS,
      before,
    );

    expect(alerts).toEqual([]);
    expect(state).toEqual({ ...before, staleIgnored: 2 });
  });

  it("keeps counting stale records across accepted ones", () => {
    const { state } = fold([snapshot(50, T1), snapshot(40, T0), snapshot(30, T2), snapshot(20, T1)]);

    expect(state).toMatchObject({ quantity: 30, asOf: T2, staleIgnored: 2 });
  });
});

describe("inventory availability: thresholds", () => {
  const config = { lowStockThreshold: 10, lowStockThresholds: { "P-BIG": 25, "P-TINY": 2 } };

  it("uses a product's override instead of the default", () => {
    expect(fold([snapshot(20, T0, { productId: "P-BIG" })], config).state?.status).toBe("LOW_STOCK");
    expect(fold([snapshot(25, T0, { productId: "P-BIG" })], config).state?.status).toBe("IN_STOCK");
    expect(fold([snapshot(5, T0, { productId: "P-TINY" })], config).state?.status).toBe("IN_STOCK");
    expect(fold([snapshot(1, T0, { productId: "P-TINY" })], config).state?.status).toBe("LOW_STOCK");
    expect(fold([snapshot(20, T0, { productId: "P-OTHER" })], config).state?.status).toBe("IN_STOCK");
  });

  it("alerts LOW_STOCK at the override and says which threshold applied", () => {
    const { alerts } = fold(
      [snapshot(100, T0, { productId: "P-BIG" }), snapshot(24, T1, { productId: "P-BIG" })],
      config,
    );

    expect(alerts.map((a) => a.alertType)).toEqual(["LOW_STOCK"]);
    expect(alerts[0]?.details).toMatchObject({ threshold: 25, quantity: 24 });
  });

  it("uses the default threshold for a product named like an Object property", () => {
    expect(fold([snapshot(5, T0, { productId: "constructor" })], config).state?.status).toBe("LOW_STOCK");
  });

  it("applies a configured default threshold", () => {
    const state = fold([snapshot(15, T0)], { lowStockThreshold: 20, lowStockThresholds: {} }).state;
    expect(state?.status).toBe("LOW_STOCK");
  });
});

describe("inventory consumer", () => {
  it("keys every record by the value's productId", () => {
    const record = { ...snapshot(5, T0, { productId: "P-9" }), key: null };
    expect(inventoryConsumer.stateKeys(record, DEFAULTS)).toEqual(["P-9"]);
  });
});
