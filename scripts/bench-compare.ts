// Times the compare screen: `npm run bench:compare` (hold `flock /tmp/next.lock` when other builds may run).
//
// 1. The screen in Chromium for two variants over 5,000 cases: from navigation until the verdicts and the first case
//    rows are on screen. "Cold" is the first open after the results were written (the server loads and computes
//    everything); "warm" opens the same comparison again (the server serves the comparison it computed).
// 2. Where the cold time goes on the server: loading 10,000 results and computing every figure.
// 2b. Issue #4's results grid: the run page of a 10,000-case run, opened and scrolled.
// 2c. Issue #10's share links: the same comparison opened read-only through /s/<token> in a fresh browser context
//     without a session, cold (the first open of that comparison) and warm.
// 3. The bootstrap for 5,000 cases × 10,000 resamples: the paired bootstrap of the mean score, and the percentile
//    bootstrap for p50/p90/p95/p99 latency (against lib/stats' resampling implementation).
//
// It starts an embedded PostgreSQL and the real app (`assay start`, as test/support/app-setup.ts does), seeds the runs
// straight into the tables, and prints measured figures against their targets as ratios. BENCH_ONLY=screen|share|
// bootstrap runs one part (the machine is shared: `BENCH_ONLY=share npm run bench:compare` times only the share link).
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ensureBuild } from "../lib/runtime/build.ts";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrate } from "../lib/db/migrate.ts";
import { freePort } from "../test/support/app-setup.ts";
import { launchBrowser, OWNER, signedInContext } from "../test/support/browser.ts";
import { ownerWorkspace, seedComparison, type SeedVariant } from "../test/e2e/compare-seed.ts";
import { createRng, pairedBootstrapMeanDiff, percentileInterval, sortedCopy } from "../lib/stats/index.ts";
import { pairedBootstrap } from "../lib/compare/paired-bootstrap.ts";
import { quantileReplicates } from "../lib/compare/quantile-bootstrap.ts";
import type { PrismaClient } from "../lib/db.ts";

const root = path.resolve(import.meta.dirname, "..");
const CASES = 5_000;
const GRID_ROWS = 10_000;
const COLD_SAMPLES = Number(process.env.BENCH_COLD ?? 3);
const WARM_SAMPLES = Number(process.env.BENCH_WARM ?? 5);
const SCREEN_TARGET_MS = 1_500;
const BOOTSTRAP_TARGET_MS = 1_000;
const ONLY = process.env.BENCH_ONLY;
const PARTS = ["screen", "share", "bootstrap"];
if (ONLY !== undefined && !PARTS.includes(ONLY)) throw new Error(`BENCH_ONLY is one of ${PARTS.join(", ")}; got "${ONLY}"`);
const includes = (part: string) => ONLY === undefined || ONLY === part;

const VARIANTS: SeedVariant[] = [
  { label: "v3 zero-shot", quality: 0.72, latency: 900, inputTokens: 120, examples: 0, counterexamples: 0 },
  { label: "v4 few-shot", quality: 0.76, latency: 780, inputTokens: 420, examples: 4, counterexamples: 2 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function timeMedian(task: () => unknown, runs = 5): number {
  task();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    task();
    times.push(performance.now() - start);
  }
  return median(times);
}

interface Row {
  name: string;
  measured: number;
  target: number | null;
}

const rows: Row[] = [];
const line = (name: string, measured: string, target: string, ratio: string) => `${name.padEnd(64)} ${measured.padStart(12)} ${target.padStart(10)} ${ratio.padStart(7)}`;

async function main(): Promise<void> {
  if (includes("screen") || includes("share")) await browserParts();
  if (includes("bootstrap")) bootstrapPart();
  report();
}

async function browserParts(): Promise<void> {
  const home = await mkdtemp(path.join(os.tmpdir(), "assay-bench-compare-"));
  await chmod(home, 0o755);
  const pgPort = await freePort();
  console.log("Starting PostgreSQL and building the app if needed…");
  const database = await startEmbeddedPostgres({ dataDir: path.join(home, "pg"), port: pgPort, database: "assay_bench_compare" });
  process.env.DATABASE_URL = database.url;
  await migrate(database.url);
  await ensureBuild(root, (message) => console.log(message));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "bin/assay.js"), "start", "--port", String(port)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DATABASE_URL: database.url, ASSAY_HOME: home, ASSAY_MODEL_PORT: String(await freePort()), ASSAY_MODELS_DIR: path.join(home, "models"), NODE_ENV: "production" },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const appUrl = `http://127.0.0.1:${port}`;
  const { db } = await import("../lib/db.ts");
  const { getComparison, clearComparisonCache } = await import("../lib/compare/service.ts");
  const { loadComparisonData, loadVariants } = await import("../lib/compare/load.ts");
  const { computeComparison } = await import("../lib/compare/compute.ts");
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`assay start exited with ${child.exitCode}:\n${output}`);
      if (await fetch(`${appUrl}/api/health`).then((response) => response.ok, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const browser = await launchBrowser();
    const context = await signedInContext(browser, appUrl);
    const page = await context.newPage();
    const { workspaceId, userId } = await ownerWorkspace(db, OWNER.email);
    if (includes("share")) await sharePart(browser, appUrl, db, workspaceId, userId);
    if (!includes("screen")) {
      await browser.close();
      return;
    }

    console.log(`Seeding ${COLD_SAMPLES} runs of ${CASES.toLocaleString("en-US")} cases × 2 variants…`);
    const seeded = [];
    for (let sample = 0; sample < COLD_SAMPLES; sample++) {
      seeded.push(await seedComparison(db, { workspaceId, name: `Bench ${sample + 1}`, cases: CASES, variants: VARIANTS, seed: sample + 1 }));
    }
    // Warm the app's code paths (route compilation, first Prisma connection) on a small comparison first.
    const small = await seedComparison(db, { workspaceId, name: "Warm-up", cases: 50, variants: VARIANTS, seed: 99 });
    await openScreen(page, appUrl, small.variantIds);

    const cold: number[] = [];
    const breakdown: { responseEnd: number; domContentLoaded: number }[] = [];
    for (const run of seeded) {
      const result = await openScreen(page, appUrl, run.variantIds);
      cold.push(result.total);
      breakdown.push(result.navigation);
    }
    const warm: number[] = [];
    for (let sample = 0; sample < WARM_SAMPLES; sample++) warm.push((await openScreen(page, appUrl, (seeded[0] as { variantIds: string[] }).variantIds)).total);
    const scroll = await scrollList(page, '[data-testid="case-scroll"]');
    rows.push({ name: "compare screen, 2 × 5,000 cases, first open (cold), median", measured: median(cold), target: SCREEN_TARGET_MS });
    rows.push({ name: "  of which: HTML fully received (server load + compute + render)", measured: median(breakdown.map((item) => item.responseEnd)), target: null });
    rows.push({ name: "compare screen, 2 × 5,000 cases, opened again (warm), median", measured: median(warm), target: SCREEN_TARGET_MS });
    rows.push({ name: "scrolling the 5,000-case list: mean frame", measured: scroll.mean, target: null });
    rows.push({ name: "scrolling the 5,000-case list: slowest frame (long-task limit)", measured: scroll.worst, target: 50 });

    // Issue #4's results grid: a run of 10,000 cases × 2 variants, opened and scrolled on its run page.
    const grid = await seedComparison(db, { workspaceId, name: "Grid", cases: GRID_ROWS, variants: VARIANTS, seed: 7 });
    const gridStart = performance.now();
    await page.goto(`${appUrl}/runs/${grid.runId}`, { waitUntil: "commit" });
    await page.locator('[data-testid="result-row"]').first().waitFor({ timeout: 60_000 });
    const gridOpen = performance.now() - gridStart;
    const gridScroll = await scrollList(page, '[data-testid="results-scroll"]');
    rows.push({ name: "run page, 10,000 cases × 2 variants: open until the first rows", measured: gridOpen, target: SCREEN_TARGET_MS });
    rows.push({ name: "scrolling the 10,000-row results grid: mean frame", measured: gridScroll.mean, target: null });
    rows.push({ name: "scrolling the 10,000-row results grid: slowest frame (long-task limit)", measured: gridScroll.worst, target: 50 });

    // Server-side parts, in this process, on the first seeded run.
    const variantIds = (seeded[0] as { variantIds: string[] }).variantIds;
    const variants = await loadVariants(workspaceId, variantIds);
    const loads: number[] = [];
    let data = await loadComparisonData(variants);
    for (let sample = 0; sample < 3; sample++) {
      const start = performance.now();
      data = await loadComparisonData(variants);
      loads.push(performance.now() - start);
    }
    rows.push({ name: "  load 10,000 results + 5,000 cases from PostgreSQL", measured: median(loads), target: null });
    rows.push({ name: "  compute every figure (computeComparison)", measured: timeMedian(() => computeComparison(data), 3), target: null });
    clearComparisonCache();
    const start = performance.now();
    const comparison = await getComparison(workspaceId, { variants: variantIds });
    rows.push({ name: "  getComparison cold, in process (load + compute)", measured: performance.now() - start, target: null });
    const payload = JSON.stringify(comparison).length;
    console.log(`Comparison payload: ${(payload / 1024).toFixed(0)} KiB for ${comparison.cases.keys.length.toLocaleString("en-US")} cases.`);
    await browser.close();
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(undefined);
      }, 15_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
    await db.$disconnect();
    await database.stop();
  }
}

/** The bootstrap on its own. */
function bootstrapPart(): void {
  const rng = createRng(5);
  const scoresA = Array.from({ length: CASES }, () => (rng.next() < 0.7 ? 1 : rng.next()));
  const scoresB = scoresA.map((value) => Math.min(1, Math.max(0, value + 0.1 * rng.nextNormal())));
  const latencies = Array.from({ length: CASES }, () => Math.exp(6.8 + 0.45 * rng.nextNormal()));
  const ps = [0.5, 0.9, 0.95, 0.99];
  rows.push({ name: "paired bootstrap of the mean score, 5,000 × 10,000 (compare)", measured: timeMedian(() => pairedBootstrap(scoresA, scoresB)), target: BOOTSTRAP_TARGET_MS });
  rows.push({ name: "  same with lib/stats pairedBootstrapMeanDiff (difference only)", measured: timeMedian(() => pairedBootstrapMeanDiff(scoresA, scoresB)), target: BOOTSTRAP_TARGET_MS });
  rows.push({ name: "p50/p90/p95/p99 bootstrap, 5,000 × 10,000 (order statistics)", measured: timeMedian(() => quantileReplicates(sortedCopy(latencies), ps, 10_000, createRng(1))), target: BOOTSTRAP_TARGET_MS });
  rows.push({ name: "  same by resampling (lib/stats percentileInterval × 4)", measured: timeMedian(() => ps.map((p) => percentileInterval(latencies, p)), 3), target: BOOTSTRAP_TARGET_MS });
}

function report(): void {
  console.log(`\nNode ${process.version}, ${os.cpus().length} cores; Chromium; medians`);
  console.log(line("benchmark", "measured ms", "target ms", "ratio"));
  for (const row of rows) {
    console.log(line(row.name, row.measured.toFixed(1), row.target === null ? "" : String(row.target), row.target === null ? "" : (row.measured / row.target).toFixed(3)));
  }
  const missed = rows.filter((row) => row.target !== null && row.measured > row.target);
  console.log(missed.length === 0 ? "all within target" : `over target: ${missed.map((row) => row.name.trim()).join("; ")}`);
  process.exitCode = missed.length === 0 ? 0 : 1;
}

/**
 * Issue #10: a comparison shared with anyone, opened through /s/<token> in a context without cookies, as a teammate
 * or a stakeholder would open a pasted link. Its own comparisons: the member screen's opens would make these warm.
 */
async function sharePart(browser: import("playwright-core").Browser, appUrl: string, db: PrismaClient, workspaceId: string, userId: string): Promise<void> {
  const { createShareLink } = await import("../lib/share-links/service.ts");
  console.log(`Seeding ${COLD_SAMPLES} shared comparisons of ${CASES.toLocaleString("en-US")} cases × 2 variants…`);
  const links: string[] = [];
  for (let sample = 0; sample < COLD_SAMPLES + 1; sample++) {
    const seeded = await seedComparison(db, { workspaceId, name: `Shared ${sample + 1}`, cases: sample === COLD_SAMPLES ? 50 : CASES, variants: VARIANTS, seed: 100 + sample });
    links.push((await createShareLink({ workspaceId, userId }, { resource: "comparison", id: seeded.variantIds.join(","), scope: "anyone" })).url);
  }
  const visitor = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await visitor.newPage();
  // Warm the shared page's code paths on the small comparison first.
  await openScreen(page, `${appUrl}${links[COLD_SAMPLES] as string}`);
  const cold: number[] = [];
  for (const link of links.slice(0, COLD_SAMPLES)) cold.push((await openScreen(page, `${appUrl}${link}`)).total);
  const warm: number[] = [];
  for (let sample = 0; sample < WARM_SAMPLES; sample++) warm.push((await openScreen(page, `${appUrl}${links[0] as string}`)).total);
  rows.push({ name: "shared comparison /s/<token>, 2 × 5,000 cases, read-only, cold", measured: median(cold), target: SCREEN_TARGET_MS });
  rows.push({ name: "shared comparison /s/<token>, 2 × 5,000 cases, read-only, warm", measured: median(warm), target: SCREEN_TARGET_MS });
  await visitor.close();
}

async function openScreen(page: import("playwright-core").Page, appUrl: string, variantIds?: string[]): Promise<{ total: number; navigation: { responseEnd: number; domContentLoaded: number } }> {
  const start = performance.now();
  // With variants: the member's compare screen; without: `appUrl` is a share link's full URL.
  await page.goto(variantIds ? `${appUrl}/compare?variants=${variantIds.join(",")}` : appUrl, { waitUntil: "commit" });
  await page.locator('[data-testid="verdict-passRate"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="case-row"]').first().waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="ecdf-line"]').first().waitFor({ timeout: 60_000 });
  const total = performance.now() - start;
  const navigation = await page.evaluate(() => {
    const entry = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    return { responseEnd: entry?.responseEnd ?? 0, domContentLoaded: entry?.domContentLoadedEventEnd ?? 0 };
  });
  return { total, navigation };
}

/** Frame times while scrolling the virtualized list from top to bottom and back in 240 jumps. */
async function scrollList(page: import("playwright-core").Page, selector: string): Promise<{ mean: number; worst: number }> {
  return page.evaluate(async (selector) => {
    const element = document.querySelector(selector);
    if (!element) return { mean: Number.NaN, worst: Number.NaN };
    const frames: number[] = [];
    let last = performance.now();
    const steps = 120;
    for (let step = 0; step <= 2 * steps; step++) {
      const share = step <= steps ? step / steps : 2 - step / steps;
      element.scrollTop = share * (element.scrollHeight - element.clientHeight);
      await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    return { mean: frames.reduce((sum, value) => sum + value, 0) / frames.length, worst: Math.max(...frames) };
  }, selector);
}

await main();
