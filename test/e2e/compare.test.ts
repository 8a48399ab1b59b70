import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureOwner, launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { ownerWorkspace, seedComparison, type SeededComparison } from "./compare-seed.ts";

// The compare screen of issue #5 against the real app: two variants with statistics and plots, the per-case list
// with filters and the case panel, blind review by keyboard, an LLM judge through a connection, several variants
// with Holm correction. Results are written straight into the database, as a finished run would leave them.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");

const appUrl = inject("appUrl");
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fake: FakeOpenAI;
let pair: SeededComparison;
let ablation: SeededComparison;
let userId: string;

beforeAll(async () => {
  await ensureOwner(appUrl);
  const owner = await ownerWorkspace(db, OWNER.email);
  userId = owner.userId;
  pair = await seedComparison(db, {
    workspaceId: owner.workspaceId,
    name: "Ticket router v3 vs v4",
    cases: 400,
    variants: [
      { label: "v3 zero-shot", quality: 0.7, latency: 900, inputTokens: 120, examples: 0, counterexamples: 0 },
      { label: "v4 few-shot", quality: 0.8, latency: 700, inputTokens: 420, examples: 4, counterexamples: 2 },
    ],
  });
  ablation = await seedComparison(db, {
    workspaceId: owner.workspaceId,
    name: "Ablation · ticket router v4",
    cases: 150,
    seed: 7,
    repeats: 2,
    variants: [
      { label: "zero-shot", quality: 0.62, latency: 650, inputTokens: 110, examples: 0, counterexamples: 0 },
      { label: "all 4 examples", quality: 0.75, latency: 700, inputTokens: 400, examples: 4, counterexamples: 0 },
      { label: "4 examples + 2 counterexamples", quality: 0.78, latency: 720, inputTokens: 520, examples: 4, counterexamples: 2 },
    ],
  });
  // A judge that prefers the answer without hedging ("Maybe:"), wherever it is shown.
  fake = await startFakeOpenAI({
    reply: (request) => {
      const text = request.lastUserMessage;
      const first = text.slice(text.indexOf("## Response 1"), text.indexOf("## Response 2"));
      const second = text.slice(text.indexOf("## Response 2"));
      const winner = first.includes("Maybe:") === second.includes("Maybe:") ? "tie" : first.includes("Maybe:") ? "2" : "1";
      return JSON.stringify({ reasoning: "The other answer hedges instead of routing.", winner });
    },
  });
  await db.connection.create({ data: { workspaceId: owner.workspaceId, name: `Judge fake ${Date.now().toString(36)}`, baseUrl: fake.url, models: { create: [{ name: "fake-echo" }] } } });
  browser = await launchBrowser();
  context = await signedInContext(browser, appUrl);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await fake?.close();
});

/** Screenshots of the whole screen: the app scrolls inside its main column, so the window is made tall first. */
async function fullScreenshot(name: string, height = 2600): Promise<void> {
  await page.setViewportSize({ width: 1440, height });
  await page.waitForTimeout(150);
  await screenshot(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe("compare screen", () => {
  it("lists runs to pick variants from", async () => {
    await page.goto(`${appUrl}/compare`);
    await page.locator('[data-testid="picker-run"]').first().waitFor();
    const runs = page.locator('[data-testid="picker-run"]', { hasText: "Ticket router v3 vs v4" });
    await runs.locator('[data-testid="picker-variant"]').nth(0).click();
    await runs.locator('[data-testid="picker-variant"]').nth(1).click();
    await screenshot(page, "compare-picker");
    await page.click('[data-testid="compare-picked"]');
    await page.waitForURL(/\/compare\?variants=/);
    expect(new URL(page.url()).searchParams.get("variants")).toBe(pair.variantIds.join(","));
  });

  it("shows verdicts, figures with intervals, plots and the per-case list for two variants", async () => {
    await page.goto(`${appUrl}/compare?variants=${pair.variantIds.join(",")}`);
    await page.locator('[data-testid="verdicts"]').waitFor();
    const passVerdict = await page.locator('[data-testid="verdict-passRate"]').innerText();
    expect(passVerdict).toMatch(/Pass rate\. (B passes more cases: \+\d+\.\d points \(95 % CI|No detectable difference in pass rate)/);
    expect(await page.locator('[data-testid="verdict-latency"]').innerText()).toMatch(/B is faster: −\d+ ms typical shift \(95 % CI/);
    expect(await page.locator('[data-testid="figures-table"]').innerText()).toContain("p95");
    expect(await page.locator('[data-testid="ecdf-line"]').count()).toBe(2);
    expect(await page.locator('[data-testid="pass-rate-bars"] rect').count()).toBe(2);
    expect(await page.locator('[data-testid="tag-breakdown"] tbody tr').count()).toBeGreaterThanOrEqual(5);
    // Virtualized: far fewer rows in the page than the 400 cases.
    const rows = await page.locator('[data-testid="case-row"]').count();
    expect(rows).toBeGreaterThan(3);
    expect(rows).toBeLessThan(40);
    await fullScreenshot("compare-two-variants");
  });

  it("filters to disagreements and by tag, and opens a case side by side with its word diff", async () => {
    const disagreements = page.locator('[data-testid="filter-disagree"]');
    const count = Number((await disagreements.innerText()).replace(/\D+/g, ""));
    expect(count).toBeGreaterThan(0);
    await disagreements.click();
    expect(await page.locator('[data-testid="case-list"]').innerText()).toContain(`${count} shown`);
    await page.selectOption('[data-testid="tag-filter"]', "refund");
    const text = await page.locator('[data-testid="case-list"]').innerText();
    const shown = Number(/(\d+) shown/.exec(text)?.[1]);
    expect(shown).toBeLessThan(count);
    await page.locator('[data-testid="case-row"]').first().click();
    await page.locator('[data-testid="detail-result"]').first().waitFor();
    expect(await page.locator('[data-testid="detail-result"]').count()).toBe(2);
    expect(await page.locator('[data-testid="case-detail"]').innerText()).toContain("refund");
    await screenshot(page, "compare-case-detail");
    await page.keyboard.press("j");
    await page.keyboard.press("Escape");
    expect(await page.locator('[data-testid="case-detail"]').count()).toBe(0);
  });

  it("runs an LLM judge in both orders and reports its position bias and verdict", async () => {
    await page.click('[data-testid="open-judge"]');
    const form = page.locator('[data-testid="judge-form"]');
    await form.locator("select").selectOption({ label: (await db.connection.findFirstOrThrow({ where: { baseUrl: fake.url } })).name });
    await form.locator('input[list="judge-models"]').fill("fake-echo");
    await form.locator('input[type="number"]').fill("30");
    await page.click('[data-testid="start-judge"]');
    await page.locator('[data-testid="judge-progress"]', { hasText: "30 of 30 cases" }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="judge-table"]').waitFor({ timeout: 30_000 });
    const table = await page.locator('[data-testid="judge-table"]').innerText();
    expect(table).toMatch(/fake-echo · rubric [0-9a-f]{8}/);
    expect(table).toContain("0%");
    const votes = await db.vote.count({ where: { judge: { contains: "fake-echo" }, variantAId: pair.variantIds[0] } });
    expect(votes).toBe(60);
  });

  it("review mode shows both outputs unlabeled in random order and records votes by keyboard", async () => {
    await page.click('[data-testid="review-link"]');
    await page.waitForURL(/\/compare\/review\?/);
    await page.locator('[data-testid="review-left"]').waitFor();
    const body = await page.locator('[data-testid="review-mode"]').innerText();
    expect(body).not.toContain("v4 few-shot");
    expect(body).not.toContain("v3 zero-shot");
    const before = await page.locator('[data-testid="review-progress"]').innerText();
    expect(before).toMatch(/^0 of \d+ cases reviewed/);
    await page.keyboard.press("ArrowLeft");
    await page.locator('[data-testid="review-progress"]', { hasText: /^1 of/ }).waitFor();
    await page.keyboard.press("3");
    await page.locator('[data-testid="review-progress"]', { hasText: /^2 of/ }).waitFor();
    // Undo withdraws the tie and brings that case back, sides unchanged.
    await page.keyboard.press("u");
    await page.locator('[data-testid="review-progress"]', { hasText: /^1 of/ }).waitFor();
    await page.keyboard.press("ArrowRight");
    await page.locator('[data-testid="review-progress"]', { hasText: /^2 of/ }).waitFor();
    const votes = await db.vote.findMany({ where: { voterId: userId, judge: null, variantAId: pair.variantIds[0] } });
    expect(votes.map((vote) => vote.choice).sort()).toEqual(["left", "right"]);
    for (const vote of votes) expect(pair.variantIds).toContain(vote.leftVariantId);
    await fullScreenshot("compare-review", 1000);
    await page.goto(`${appUrl}/compare?variants=${pair.variantIds.join(",")}`);
    expect(await page.locator('[data-testid="people-preference"]').innerText()).toMatch(/decided case|No detectable preference|is preferred/);
  });

  it("compares several variants against the baseline with Holm-corrected p-values and repeats' stability", async () => {
    await page.goto(`${appUrl}/compare?variants=${ablation.variantIds.join(",")}`);
    await page.locator('[data-testid="holm-note"]').waitFor();
    expect(await page.locator('[data-testid="holm-note"]').innerText()).toContain("Holm-adjusted");
    expect(await page.locator('[data-testid="overview-row"]').count()).toBe(3);
    expect(await page.locator('[data-testid="verdict-passRate"]').innerText()).toMatch(/Holm-adjusted/);
    expect(await page.locator('[data-testid="stability-card"]').innerText()).toMatch(/of 150 cases pass in some repeats/);
    await page.locator('[data-testid="overview-row"]').nth(2).click();
    expect(await page.locator('[data-testid="verdict-card"]').innerText()).toMatch(/^C against A/);
    await fullScreenshot("compare-multi-variant", 3000);
  });

  it("explains a link that cannot be shown", async () => {
    await page.goto(`${appUrl}/compare?variants=${pair.variantIds[0]},nope`);
    expect(await page.locator('[data-testid="compare-error"]').innerText()).toContain('No variant "nope"');
  });

  it("shows the ablation form with its plan", async () => {
    await page.goto(`${appUrl}/compare/ablation`);
    await page.locator('[data-testid="ablation-form"], [data-testid="ablation-empty"]').first().waitFor();
    await screenshot(page, "compare-ablation-form");
  });
});
