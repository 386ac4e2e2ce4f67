import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type DashboardServer, startDashboardServer } from "../../local/dashboard-server";
import { KafkaLog } from "../../local/event-source/kafka-log";
import { createStackResources } from "../../local/resources";
import { LocalRuntime } from "../../local/runtime";
import { type LiveTraffic, startLiveTraffic } from "../../local/simulator/live";
import type { SimulatedRecord, TopicNames } from "../../local/simulator/traffic";
import { synthesizeTemplate } from "../../local/template";

const OUTPUT = join(import.meta.dirname, "..", "..", "test-output");
const CHROMIUM = "/usr/bin/chromium";
const MINUTE = 60_000;

/**
 * The whole local stack on the tier's Kafka broker: the simulator produces to Kafka, the local event source
 * mappings invoke every consumer, the alert log is fed from the alert topic, and the page reads the dashboard
 * API through the local dashboard server, in Chromium.
 */
describe("the ops dashboard in a browser, on the local runtime with the simulator running", () => {
  const run = randomUUID().slice(0, 8);
  // Topics of their own, so nothing else on the shared broker reads or writes them.
  const topics: TopicNames = {
    orders: `dashboard-${run}.orders`,
    inventory: `dashboard-${run}.inventory`,
    clicks: `dashboard-${run}.clicks`,
    fraudSignals: `dashboard-${run}.fraud-signals`,
  };
  let log: KafkaLog;
  let runtime: LocalRuntime;
  let server: DashboardServer;
  let traffic: LiveTraffic | undefined;
  let serverStopped = false;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const runtimeErrors: unknown[] = [];

  const totalPlaced = () =>
    page
      .locator("figure.orders")
      .getAttribute("data-total-placed")
      .then((value) => Number(value));

  async function produce(records: readonly SimulatedRecord[]) {
    const byTopic = new Map<string, SimulatedRecord[]>();
    for (const record of records) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
    for (const [topic, batch] of byTopic) {
      await log.produce(
        topic,
        batch.map((record) => ({
          key: record.key,
          value: JSON.stringify(record.value),
          timestamp: record.timestamp,
        })),
      );
    }
  }

  beforeAll(async () => {
    const endpoints = inject("endpoints");
    const template = synthesizeTemplate({ "theworldshop:topics": topics });
    const resources = await createStackResources(template, endpoints, `dashboard-${run}`);
    log = new KafkaLog(endpoints.kafkaBrokers, `dashboard-e2e-${run}`);
    runtime = new LocalRuntime({
      template,
      resources,
      endpoints,
      log,
      environmentOverrides: { POWERTOOLS_LOG_LEVEL: "WARN" },
      onError: (error) => runtimeErrors.push(error),
    });
    await runtime.start();
    server = await startDashboardServer({ port: 0, resources, template, endpoints });
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
    // Four minutes of backlog go through Kafka and DynamoDB Local on a shared machine: allow for it.
    page.setDefaultTimeout(240_000);
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await traffic?.stop();
    await browser?.close();
    if (!serverStopped) await server?.stop();
    await runtime?.stop();
    await log?.close();
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
    // Started four minutes in the past: the first tick produces that history (the viral blue mug runs low
    // in its third minute), then the traffic goes on live. The open page picks it all up by itself.
    traffic = startLiveTraffic(produce, {
      seed: 11,
      start: Date.now() - 4 * MINUTE,
      visitsPerSecond: 2,
      topics,
      onError: (error) => runtimeErrors.push(error),
    });
    await page.waitForFunction(
      () => Number(document.querySelector("figure.orders")?.getAttribute("data-total-placed")) > 0,
    );
    const before = await totalPlaced();
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
    expect(runtimeErrors).toEqual([]);
  }, 300_000);

  it("keeps the last data on screen and says it is reconnecting when the API goes away", async () => {
    await traffic?.stop();
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
