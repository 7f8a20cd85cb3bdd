// First contentful paint of Gazouille's server-rendered pages in Debian's Chromium, on loopback.
//   node fcp.mjs --url http://127.0.0.1:5091 --tokens FILE [--runs 20] [--path /]
// Each cold load opens a fresh browser context (empty cache, as a first visit); each warm load reloads the page in
// the same context (CSS and JS cached, as a reader coming back). A token from FILE (one per line, rotated) signs the
// page in: pages accept the API's bearer tokens. Prints one JSON line per page with medians and 95th percentiles.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const url = option("url", "http://127.0.0.1:5091");
const runs = Number(option("runs", "20"));
const paths = option("path", "/").split(",");
// "username token" per line, as `admin generate --tokens-file` writes it (a bare token per line works too).
const tokens = readFileSync(option("tokens"), "utf8").split("\n").map((t) => t.trim().split(/\s+/).pop()).filter(Boolean);
if (!tokens.length) throw new Error("no token in the tokens file");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

const measure = (page) =>
  page.evaluate(() => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    const nav = performance.getEntriesByType("navigation")[0];
    return { fcp: paint ? paint.startTime : NaN, ttfb: nav ? nav.responseStart : NaN, bytes: nav ? nav.transferSize : NaN };
  });
const quantile = (values, q) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const round = (x) => Math.round(x * 10) / 10;

try {
  for (const path of paths) {
    const cold = [], warm = [], ttfb = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        extraHTTPHeaders: { Authorization: `Bearer ${tokens[i % tokens.length]}` },
      });
      const page = await context.newPage();
      const response = await page.goto(url + path, { waitUntil: "load" });
      if (!response || response.status() !== 200) throw new Error(`${path} answered ${response?.status()}`);
      const first = await measure(page);
      cold.push(first.fcp);
      ttfb.push(first.ttfb);
      await page.reload({ waitUntil: "load" });
      warm.push((await measure(page)).fcp);
      await context.close();
    }
    console.log(JSON.stringify({
      path, runs,
      cold_fcp_median_ms: round(quantile(cold, 0.5)), cold_fcp_p95_ms: round(quantile(cold, 0.95)),
      warm_fcp_median_ms: round(quantile(warm, 0.5)), warm_fcp_p95_ms: round(quantile(warm, 0.95)),
      ttfb_median_ms: round(quantile(ttfb, 0.5)),
      missing: cold.filter((x) => !Number.isFinite(x)).length,
    }));
  }
} finally {
  await browser.close();
}
