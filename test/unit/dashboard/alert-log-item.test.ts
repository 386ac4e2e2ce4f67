import { describe, expect, it } from "vitest";
import { ALERT_LOG_SCHEMA, alertLogItem, type LoggedAlert } from "../../../functions/alert-log/alert-log";

const alert: LoggedAlert = {
  alertId: "inventory:theworldshop.inventory:0:41:LOW_STOCK",
  alertType: "LOW_STOCK",
  severity: "warning",
  subjectId: "P-007",
  eventTime: "2026-11-20T23:59:59.5Z",
  message: "P-007 'Blue mug' is low on stock: 9 left",
};

describe("the alert log's item layout", () => {
  it("keys an alert by the UTC day and time of its event and its id, with the event time normalized", () => {
    const item = alertLogItem(alert);
    expect(item.pk).toBe("alerts#2026-11-20");
    expect(item.sk).toBe("2026-11-20T23:59:59.500Z#inventory:theworldshop.inventory:0:41:LOW_STOCK");
    expect(item.eventTime).toBe("2026-11-20T23:59:59.500Z");
    expect(item).toMatchObject({ alertType: "LOW_STOCK", severity: "warning", subjectId: "P-007" });
  });

  it("expires an alert seven days after its event time", () => {
    const item = alertLogItem(alert);
    const eventSeconds = Math.floor(Date.parse(alert.eventTime) / 1000);
    expect(item[ALERT_LOG_SCHEMA.timeToLive]).toBe(eventSeconds + 7 * 86_400);
  });

  it("gives a repeat of the same alert the same key", () => {
    expect(alertLogItem({ ...alert }).sk).toBe(alertLogItem(alert).sk);
  });
});
