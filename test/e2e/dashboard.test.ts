import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type DashboardServer, startDashboardServer } from "../../local/dashboard-server";
import { TrafficSimulator } from "../../local/simulator/traffic";
import { createTestStack, stackTemplate } from "../support/stack";
import { StackConsumers } from "../support/stack-handlers";

const OUTPUT = join(import.meta.dirname, "..", "..", "test-output");
const CHROMIUM = "/usr/bin/chromium";
const SECOND = 1000;

describe("the ops dashboard in a browser, with the simulator's traffic flowing", () => {
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;
  let consumers: StackConsumers;
  let simulator: TrafficSimulator;
  let flowing: Promise<void> = Promise.resolve();
  let stopped = false;
  let serverStopped = false;
  const consoleErrors: string[] = [];
  // Four minutes of event time before now: the viral blue mug sells out in the third.
  const start = Date.now() - 4 * 60 * SECOND;

  /** Runs the simulator against the wall clock from its head start on, as `startLiveTraffic` does. */
  function keepTrafficFlowing() {
    const tick = async (): Promise<void> => {
      if (stopped) return;
      await consumers.deliver(simulator.eventsUntil(Date.now()));
      await new Promise((resolve) => setTimeout(resolve, 500));
      return tick();
    };
    flowing = tick();
  }

  const totalPlaced = () =>
    page
      .locator("figure.orders")
      .getAttribute("data-total-placed")
      .then((value) => Number(value));

  beforeAll(async () => {
    const resources = await createTestStack("dashboard-e2e");
    consumers = new StackConsumers(resources);
    simulator = new TrafficSimulator({ seed: 11, start, visitsPerSecond: 2 });
    server = await startDashboardServer({
      port: 0,
      resources,
      template: stackTemplate(),
      endpoints: inject("endpoints"),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Catching up on four minutes of traffic takes DynamoDB Local a while on a shared machine.
    page.setDefaultTimeout(240_000);
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    stopped = true;
    await flowing;
    await browser?.close();
    if (!serverStopped) await server?.stop();
  });

  // The tests run in order on one page: before any traffic, with traffic flowing, after the API is gone.
  it("says so in every panel while there is nothing to show yet", async () => {
    await page.goto(server.url);
    await page.locator("#status-text", { hasText: /^Live/ }).waitFor();

    expect(await page.locator("#orders .notice-empty").textContent()).toMatch(
      /No orders in the last 60 minutes/,
    );
    expect(await page.locator("#alerts .notice-empty").textContent()).toMatch(/No alerts yet/);
    expect(await page.locator("#stock .notice-empty").textContent()).toMatch(/Every product is in stock/);
    expect(await page.locator("#fraud .notice-empty").textContent()).toMatch(/No flagged transactions/);
    expect(await page.locator("#kpi-sessions").textContent()).toBe("0");
  });

  it("shows orders per minute rising, a LOW_STOCK alert in the feed, and no console errors", async () => {
    // The first 50 s of traffic: orders, but nothing has run low yet. The open page picks it up by itself.
    await consumers.deliver(simulator.eventsUntil(start + 50 * SECOND));
    await page.waitForFunction(
      () => Number(document.querySelector("figure.orders")?.getAttribute("data-total-placed")) > 0,
    );
    const before = await totalPlaced();

    keepTrafficFlowing();
    await page.waitForFunction(
      (seen) => Number(document.querySelector("figure.orders")?.getAttribute("data-total-placed")) > seen,
      before,
    );
    const lowStock = page.locator('.feed-item[data-alert-type="LOW_STOCK"]').first();
    await lowStock.waitFor();

    expect(await totalPlaced()).toBeGreaterThan(before);
    expect(await lowStock.textContent()).toMatch(/Low stock/);
    expect(await page.locator("#status-text").textContent()).toMatch(/^Live/);
    expect(await page.locator(".notice-error").count()).toBe(0);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, "dashboard.png"), fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, 300_000);

  it("keeps the last data on screen and says it is reconnecting when the API goes away", async () => {
    stopped = true;
    await flowing;
    await server.stop();
    serverStopped = true;

    await page.locator("body[data-state='stale']").waitFor();

    expect(await page.locator("#banner").isVisible()).toBe(true);
    expect(await page.locator("#banner").textContent()).toMatch(
      /No answer from the dashboard API.*Showing data from/,
    );
    expect(await page.locator("#status-text").textContent()).toMatch(/^Reconnecting · last update/);
    expect(await totalPlaced()).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUTPUT, "dashboard-reconnecting.png") });
  });
});
