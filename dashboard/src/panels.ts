import type { FeedAlert } from "../../functions/dashboard-api/dashboard";
import type { FlaggedTransactions } from "../../functions/dashboard-api/flagged-transactions";
import type { StockAlerts } from "../../functions/dashboard-api/stock-alerts";
import type { OrdersPerMinute } from "../../functions/orders/orders-per-minute";
import { ordersChart } from "./chart";
import { h } from "./dom";
import { countOf, minuteOf, revenueOf, timeOf } from "./format";

/** How each alert type looks: a symbol and a label always, a colour on top (never colour alone). */
const ALERT_LOOKS: Readonly<Record<string, { symbol: string; label: string; tone: string }>> = {
  OUT_OF_STOCK: { symbol: "✕", label: "Out of stock", tone: "critical" },
  LOW_STOCK: { symbol: "▼", label: "Low stock", tone: "warning" },
  BACK_IN_STOCK: { symbol: "▲", label: "Back in stock", tone: "ok" },
  CARD_VELOCITY: { symbol: "◆", label: "Card velocity", tone: "fraud" },
  SELLER_CANCELLATION_RATE: { symbol: "↺", label: "Seller cancellations", tone: "seller" },
};

function alertLook(alertType: string) {
  return (
    ALERT_LOOKS[alertType] ?? {
      symbol: "●",
      label: alertType.toLowerCase().replaceAll("_", " "),
      tone: "other",
    }
  );
}

const STOCK_LOOKS = {
  OUT_OF_STOCK: { symbol: "✕", label: "Out" },
  LOW_STOCK: { symbol: "▼", label: "Low" },
} as const;

/** A panel's message for "nothing to show" or "could not read", with a symbol so it never relies on colour. */
export function notice(kind: "empty" | "error" | "loading", text: string): HTMLElement {
  const symbol = { empty: "○", error: "⚠", loading: "…" }[kind];
  return h(
    "p",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : undefined },
    h("span", { class: "notice-symbol", "aria-hidden": "true" }, symbol),
    ` ${text}`,
  );
}

export function ordersView(minutes: readonly OrdersPerMinute[], width: number): HTMLElement {
  const placed = minutes.reduce((sum, m) => sum + m.placed, 0);
  const cancelled = minutes.reduce((sum, m) => sum + m.cancelled, 0);
  const figure = h("figure", {
    class: "orders",
    "data-total-placed": placed,
    "data-total-cancelled": cancelled,
  });
  if (placed === 0 && cancelled === 0) {
    figure.append(notice("empty", "No orders in the last 60 minutes."));
    return figure;
  }
  figure.append(
    ordersChart(minutes, width),
    h(
      "figcaption",
      { class: "legend" },
      h("span", { class: "key key-placed", "aria-hidden": "true" }),
      " Placed (bars)  ",
      h("span", { class: "key key-cancelled", "aria-hidden": "true" }),
      " Cancelled (dashed line, squares)  ",
      h("span", { class: "key key-now", "aria-hidden": "true" }),
      " This minute, still counting",
    ),
  );
  return figure;
}

export function stockView(stock: StockAlerts): HTMLElement {
  if (stock.products.length === 0) return notice("empty", "Every product is in stock.");
  const rows = stock.products.map((product) => {
    const look = STOCK_LOOKS[product.status];
    return h(
      "tr",
      { "data-status": product.status },
      h(
        "td",
        {},
        h(
          "span",
          { class: `badge badge-${product.status === "OUT_OF_STOCK" ? "critical" : "warning"}` },
          h("span", { "aria-hidden": "true" }, look.symbol),
          ` ${look.label}`,
        ),
      ),
      h(
        "td",
        {},
        product.productName ? h("span", { class: "product-name" }, product.productName) : null,
        h("span", { class: "muted" }, ` ${product.productId}`),
      ),
      h("td", { class: "number" }, countOf(product.quantity)),
      h("td", { class: "muted number" }, timeOf(product.asOf)),
    );
  });
  const listed = stock.products.length;
  const all = stock.outOfStock + stock.lowStock;
  return h(
    "div",
    {},
    h(
      "table",
      { class: "table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "Status"),
          h("th", {}, "Product"),
          h("th", { class: "number" }, "Left"),
          h("th", { class: "number" }, "As of"),
        ),
      ),
      h("tbody", {}, ...rows),
    ),
    listed < all ? h("p", { class: "muted" }, `Showing ${listed} of ${all}.`) : null,
  );
}

export function alertsView(alerts: readonly FeedAlert[]): HTMLElement {
  if (alerts.length === 0) return notice("empty", "No alerts yet.");
  return h(
    "ol",
    { class: "feed" },
    ...alerts.map((alert) => {
      const look = alertLook(alert.alertType);
      return h(
        "li",
        { class: `feed-item tone-${look.tone}`, "data-alert-type": alert.alertType },
        h(
          "div",
          { class: "feed-head" },
          h("time", { class: "muted", datetime: alert.eventTime }, timeOf(alert.eventTime)),
          h(
            "span",
            { class: `badge badge-${look.tone}` },
            h("span", { "aria-hidden": "true" }, look.symbol),
            ` ${look.label}`,
          ),
          h("span", { class: "muted severity" }, alert.severity),
        ),
        h("p", { class: "feed-message" }, alert.message),
      );
    }),
  );
}

export function fraudView(fraud: FlaggedTransactions): HTMLElement {
  if (fraud.total === 0) return notice("empty", "No flagged transactions in the last hour.");
  return h(
    "div",
    {},
    h(
      "table",
      { class: "table table-fixed" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { class: "col-time" }, "Time"),
          h("th", {}, "Transaction"),
          h("th", { title: "a hash of the card, never its number" }, "Card"),
          h(
            "th",
            { class: "number col-count", title: "the card's transactions in the 60 s up to this one" },
            "Count",
          ),
        ),
      ),
      h(
        "tbody",
        {},
        ...fraud.transactions.map((t) =>
          h(
            "tr",
            {},
            h("td", { class: "muted" }, timeOf(t.eventTime)),
            h("td", {}, t.transactionId),
            h("td", { class: "mono truncate", title: t.cardFingerprint }, t.cardFingerprint),
            h("td", { class: "number" }, countOf(t.count)),
          ),
        ),
      ),
    ),
    fraud.transactions.length < fraud.total
      ? h("p", { class: "muted" }, `Showing the newest ${fraud.transactions.length} of ${fraud.total}.`)
      : null,
  );
}

/** The headline figures above the chart. */
export function ordersFigures(minutes: readonly OrdersPerMinute[]) {
  const current = minutes.at(-1);
  const previous = minutes.at(-2);
  const revenue: Record<string, number> = {};
  for (const minute of minutes)
    for (const [currency, value] of Object.entries(minute.revenue))
      revenue[currency] = (revenue[currency] ?? 0) + value;
  return {
    thisMinute: current ? `${countOf(current.placed)}` : "–",
    thisMinuteNote: current
      ? `placed since ${minuteOf(current.minute)}, ${countOf(current.cancelled)} cancelled`
      : "",
    lastMinute: previous ? `${countOf(previous.placed)} placed in the minute before` : "",
    placed: countOf(minutes.reduce((sum, m) => sum + m.placed, 0)),
    cancelled: countOf(minutes.reduce((sum, m) => sum + m.cancelled, 0)),
    revenue: revenueOf(revenue),
  };
}
