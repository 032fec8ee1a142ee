/**
 * Opens the compare report in headless Chromium (MEM0_CHROMIUM, which `pnpm test` sets to a browser it
 * finds or installs: tools/browser.mjs; else Debian's /usr/bin/chromium)
 * and checks that it renders the lists and both charts, that the filter works, that nothing is
 * loaded from anywhere but the file itself, and that no console error is logged. The screenshot
 * lands in test-output/ for a person to look at.
 */
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { Comparison } from "@mem0/ts-cli";
import { COMPARE_ARGS, cli, tempDir, testOutput } from "./helpers.js";

type DOMRectLike = { height: number };
const CHROMIUM = process.env.MEM0_CHROMIUM ?? "/usr/bin/chromium";
const report = join(testOutput, "compare-report.html");
const screenshot = join(testOutput, "compare-report.png");

let context: BrowserContext;
let page: Page;
let comparison: Comparison;
const consoleErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  // Fails here, loudly, rather than skipping: a report nobody opened is not tested.
  if (process.env.MEM0_CHROMIUM_ERROR) throw new Error(process.env.MEM0_CHROMIUM_ERROR);
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run the tests with \`pnpm test\`, which provides one, or set MEM0_CHROMIUM`,
    );
  mkdirSync(testOutput, { recursive: true });
  rmSync(screenshot, { force: true });
  const args = COMPARE_ARGS;
  const made = await cli([...args, "--html", report, "--json"]);
  expect(made.code).toBe(0);
  comparison = JSON.parse(made.stdout);

  context = await chromium.launchPersistentContext(tempDir("mem0-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1400, height: 900 },
  });
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(report).href, { waitUntil: "load" });
}, 60_000);

afterAll(async () => {
  await context?.close();
});

test("renders both lists for every query", async () => {
  const sections = page.locator("section.query");
  expect(await sections.count()).toBe(comparison.queries.length);
  for (let i = 0; i < comparison.queries.length; i++) {
    const outcome = comparison.queries[i]!;
    const tables = sections.nth(i).locator("table.list");
    expect(await tables.count()).toBe(2);
    if (!outcome.a.ok || !outcome.b.ok) throw new Error("fixture queries all answer");
    expect(await tables.nth(0).locator("tbody tr").count()).toBe(outcome.a.response.results.length);
    expect(await tables.nth(1).locator("tbody tr").count()).toBe(outcome.b.response.results.length);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees
    expect(await tables.nth(1).locator("tbody tr").first().locator("td").nth(1).innerText()).toBe(
      outcome.b.response.results[0]!.memory,
    );
    expect(await tables.nth(0).isVisible()).toBe(true);
  }
  const dana = page.locator("section.query", { hasText: "dana-caffeine" });
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees
  expect(await dana.locator(".badge.changed").innerText()).toBe("top result changed");
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees
  expect(await dana.locator("table.list").nth(1).locator("td.new").first().innerText()).toBe("new");
});

test("renders the latency and rank-change charts with visible bars", async () => {
  for (const id of ["chart-latency", "chart-rank"]) {
    const box = await page.locator(`svg#${id}`).boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(150);
  }
  const latencyBars = await page.locator("svg#chart-latency rect.bar[data-value]").evaluateAll((rs) =>
    rs.map((r) => ({
      series: r.getAttribute("data-series"),
      v: Number(r.getAttribute("data-value")),
      h: (r as unknown as { getBBox(): DOMRectLike }).getBBox().height,
    })),
  );
  const perSeries = (s: string) => latencyBars.filter((b) => b.series === s).reduce((n, b) => n + b.v, 0);
  expect(perSeries("rerank off")).toBe(comparison.queries.length);
  expect(perSeries("rerank on")).toBe(comparison.queries.length);
  expect(latencyBars.some((b) => b.v > 0 && b.h > 0)).toBe(true);
  const rankBars = await page
    .locator("svg#chart-rank rect.bar[data-value]")
    .evaluateAll((rs) =>
      rs.map(
        (r) =>
          [
            r.querySelector("title")!.textContent,
            Number(r.getAttribute("data-value")),
            (r as unknown as { getBBox(): DOMRectLike }).getBBox().height,
          ] as const,
      ),
    );
  expect(rankBars).toHaveLength(8);
  expect(rankBars.map(([, v]) => v)).toEqual(Object.values(comparison.summary.rankChanges));
  for (const [, v, h] of rankBars) expect(h > 0).toBe(v > 0);
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees
  expect(await page.locator("#card-top b").innerText()).toContain(String(comparison.summary.topChanged));
  expect(await page.locator("#stage-latency tbody tr").count()).toBe(2);
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees
  expect(await page.locator("#failures li").innerText()).toContain("too-long");
});

test("the filter shows only queries whose top result changed", async () => {
  await page.locator("#only-changed").check();
  expect(await page.locator("section.query:visible").count()).toBe(comparison.summary.topChanged);
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees
  expect(await page.locator("#shown-count").innerText()).toBe(String(comparison.summary.topChanged));
  await page.locator("#only-changed").uncheck();
  await page.locator("#filter-text").fill("dana");
  expect(await page.locator("section.query:visible").count()).toBe(2);
  await page.locator("#filter-text").fill("");
});

test("loads nothing but the file, logs no console error, and saves a screenshot", async () => {
  expect(requests).toEqual([pathToFileURL(report).href]);
  expect(consoleErrors).toEqual([]);
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(statSync(screenshot).size).toBeGreaterThan(10_000);
});
