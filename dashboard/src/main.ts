import type { Dashboard, Panel } from "../../functions/dashboard-api/dashboard";
import { fill } from "./dom";
import { countOf, timeOf, timeZoneName } from "./format";
import { alertsView, fraudView, notice, ordersFigures, ordersView, stockView } from "./panels";
import { forgetToken, SigningInError, signedInHeaders } from "./sign-in";

/** The page asks at least this often; the issue wants orders per minute visible within 10 s. */
const REFRESH_MS = 3_000;
/** A request still open after this is given up, so a stuck one never stretches the 5 s refresh promise. */
const REQUEST_TIMEOUT_MS = 4_500;
const API_PATH = "/api/dashboard";

let lastGood: string | undefined;

function text(id: string, value: string) {
  const element = document.getElementById(id);
  if (element) element.textContent = value;
}

function setStatus(state: "live" | "stale", message: string) {
  document.body.dataset.state = state;
  text("status-text", message);
}

function showBanner(message: string | undefined) {
  const banner = document.getElementById("banner");
  if (!banner) return;
  banner.hidden = message === undefined;
  banner.textContent = message ? `⚠ ${message}` : "";
}

/** Renders a panel's data, or its error in place (the other panels keep showing theirs). */
function panel<T>(id: string, value: Panel<T>, view: (data: T) => HTMLElement) {
  fill(
    id,
    value.status === "ok" ? view(value.data) : notice("error", `${capitalized(value.message)}; retrying.`),
  );
}

function tile(id: string, figure: string, note: string) {
  text(id, figure);
  text(`${id}-note`, note);
}

const capitalized = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

function render(dashboard: Dashboard) {
  const { ordersPerMinute, stock, alerts, fraud, sessions } = dashboard;
  const chartWidth = document.getElementById("orders")?.clientWidth ?? 820;
  panel("orders", ordersPerMinute, (minutes) => ordersView(minutes, chartWidth));
  if (ordersPerMinute.status === "ok") {
    const figures = ordersFigures(ordersPerMinute.data);
    tile("kpi-minute", figures.thisMinute, `${figures.thisMinuteNote}; ${figures.lastMinute}`);
    tile("kpi-hour", figures.placed, `placed, ${figures.cancelled} cancelled; revenue ${figures.revenue}`);
  } else {
    tile("kpi-minute", "⚠", "Orders per minute unavailable");
    tile("kpi-hour", "⚠", "Orders per minute unavailable");
  }
  if (sessions.status === "ok")
    tile("kpi-sessions", countOf(sessions.data.active), "users clicking in the last 30 min");
  else tile("kpi-sessions", "⚠", "Active sessions unavailable");
  if (fraud.status === "ok")
    tile("kpi-fraud", countOf(fraud.data.total), "transactions the card velocity rule flagged");
  else tile("kpi-fraud", "⚠", "Flagged transactions unavailable");
  panel("stock", stock, stockView);
  text(
    "stock-counts",
    stock.status === "ok" ? `${stock.data.outOfStock} out · ${stock.data.lowStock} low` : "",
  );
  panel("alerts", alerts, alertsView);
  panel("fraud", fraud, fraudView);
}

async function refresh() {
  const started = Date.now();
  try {
    const response = await fetch(API_PATH, {
      cache: "no-store",
      headers: { accept: "application/json", ...(await signedInHeaders()) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status === 401) forgetToken();
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    const dashboard = (await response.json()) as Dashboard;
    render(dashboard);
    lastGood = dashboard.asOf;
    setStatus("live", `Live · updated ${timeOf(dashboard.asOf)}`);
    showBanner(undefined);
  } catch (error) {
    // The browser is on its way to the sign-in page.
    if (error instanceof SigningInError) return setStatus("stale", "Signing in…");
    const reason = error instanceof Error ? error.message : String(error);
    if (lastGood === undefined) {
      for (const id of ["orders", "alerts", "stock", "fraud"])
        fill(id, notice("error", `No data from the dashboard API (${reason}); retrying.`));
      for (const id of ["kpi-minute", "kpi-hour", "kpi-sessions", "kpi-fraud"]) tile(id, "⚠", "No data yet");
    }
    setStatus("stale", lastGood ? `Reconnecting · last update ${timeOf(lastGood)}` : "Reconnecting…");
    showBanner(
      `No answer from the dashboard API (${reason}). ${lastGood ? `Showing data from ${timeOf(lastGood)}. ` : ""}Retrying every ${REFRESH_MS / 1000} s.`,
    );
  } finally {
    // On a fixed cadence from each request's start, never two requests at once.
    setTimeout(refresh, Math.max(0, REFRESH_MS - (Date.now() - started)));
  }
}

text("footer", `Times are in ${timeZoneName()}. The page refreshes every ${REFRESH_MS / 1000} seconds.`);
void refresh();
