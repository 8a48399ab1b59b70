import { rm } from "node:fs/promises";
import path from "node:path";
import { hashPassword } from "better-auth/crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RANDOM_DEMO_MODEL } from "../../lib/local-models/demo-models.ts";
import { ARTIFACTS, launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";

// Issue #12 on the Models page, against the real `assay start`: the owner quantizes the random demo model to Q4_0 and
// Q8_0 with the Quantize action (the results are listed and served), a refused quantization shows its error, and
// "Measure trade-off" fills the family's table and plots with computed figures; a viewer sees why they cannot.

const appUrl = inject("appUrl");
process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const modelsDir = path.join(path.dirname(inject("registeredModelsDir")), "models");
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, appUrl);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  // Later files expect the models folder to hold the demo models only.
  for (const type of ["Q4_0", "Q8_0"]) await rm(path.join(modelsDir, `${RANDOM_DEMO_MODEL}-${type}.gguf`), { force: true });
});

const row = (name: string) => page.locator(`[data-testid="local-model-row"][data-model="${name}"]`);
const percent = (text: string) => Number(text.replace(/[^\d.]/g, ""));

describe("quantizing on the Models page", () => {
  it("quantizes the random model to Q4_0 and Q8_0; each is listed as a local model with its type", async () => {
    await page.goto(`${appUrl}/models`);
    await row(RANDOM_DEMO_MODEL).waitFor();
    expect(await page.locator('[data-testid="tradeoff-panel"]').count()).toBe(0);
    for (const type of ["Q4_0", "Q8_0"]) {
      await row(RANDOM_DEMO_MODEL).locator('[data-testid="quantize-model"]').click();
      const panel = page.locator('[data-testid="quantize-panel"]');
      await panel.waitFor();
      await panel.locator(`[data-testid="quant-type-${type}"]`).check();
      expect(await panel.locator('[data-testid="quantize-output"]').innerText()).toBe(`${RANDOM_DEMO_MODEL}-${type}`);
      if (type === "Q8_0") await screenshot(page, "models-quantize-panel");
      await panel.locator('[data-testid="quantize-run"]').click();
      await expect.poll(() => page.locator('[data-testid="models-notice"]').innerText(), { timeout: 30_000 }).toContain(`Quantized "${RANDOM_DEMO_MODEL}" to ${type}`);
      const made = row(`${RANDOM_DEMO_MODEL}-${type}`);
      await made.waitFor();
      expect(await made.locator('[data-testid="model-quantization"]').innerText()).toBe(type);
      expect(await made.locator('[data-testid="quantize-model"]').isDisabled()).toBe(true);
    }
    expect(await page.locator('[data-testid="models-notice"]').innerText()).toMatch(/\(2[6-9]\.\d% of the original\)/);
  });

  it("shows a refused quantization's reason in the panel and writes nothing", async () => {
    await row(RANDOM_DEMO_MODEL).locator('[data-testid="quantize-model"]').click();
    const panel = page.locator('[data-testid="quantize-panel"]');
    await panel.locator('[data-testid="quant-type-Q8_0"]').check();
    await panel.locator('[data-testid="quantize-run"]').click();
    await expect.poll(() => panel.locator('[data-testid="quantize-error"]').innerText()).toContain(`${RANDOM_DEMO_MODEL}-Q8_0.gguf already exists`);
    await panel.locator('[data-testid="quantize-close"]').click();
    const refused = await page.evaluate(async (name) => {
      const response = await fetch("/api/local-models/quantize", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type: "Q3_Z" }) });
      return { status: response.status, body: (await response.json()) as { error: { message: string } } };
    }, RANDOM_DEMO_MODEL);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^Unknown quantization type "Q3_Z": use one of Q4_0, /);
  });

  it("measures the family's trade-off: Q8_0 keeps ≥ 98 % of next tokens, Q4_0 fewer, with a larger KL; stored across reloads", async () => {
    const panel = page.locator(`[data-testid="tradeoff-panel"][data-model="${RANDOM_DEMO_MODEL}"]`);
    await panel.locator('[data-testid="tradeoff-empty"]').waitFor();
    await panel.locator('[data-testid="measure-tradeoff"]').click();
    await expect.poll(() => panel.locator('[data-testid="tradeoff-row"]').count(), { timeout: 60_000 }).toBe(3);
    const cell = (label: string, testId: string) => panel.locator(`[data-testid="tradeoff-row"][data-label="${label}"] [data-testid="${testId}"]`).innerText();
    expect(percent(await cell("F32", "tradeoff-top1"))).toBe(100);
    expect(Number(await cell("F32", "tradeoff-kl"))).toBe(0);
    const q8 = percent(await cell("Q8_0", "tradeoff-top1"));
    const q4 = percent(await cell("Q4_0", "tradeoff-top1"));
    expect(q8).toBeGreaterThanOrEqual(98);
    expect(q4).toBeLessThan(q8);
    expect(Number(await cell("Q4_0", "tradeoff-kl"))).toBeGreaterThan(Number(await cell("Q8_0", "tradeoff-kl")));
    expect(await panel.locator('[data-testid="tradeoff-plot-kl"] [data-testid="tradeoff-point"]').count()).toBe(3);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "models-tradeoff");
    await panel.screenshot({ path: path.join(ARTIFACTS, "models-tradeoff-panel.png") });
    await page.reload();
    await expect.poll(() => page.locator(`[data-testid="tradeoff-panel"][data-model="${RANDOM_DEMO_MODEL}"] [data-testid="tradeoff-row"]`).count()).toBe(3);
  });

  it("runs the family on a chosen suite and shows, per version, the share of answers equal to the original's", async () => {
    const slug = /\/w\/([^/]+)\//.exec(new URL(page.url()).pathname)![1]!;
    const workspace = await db.workspace.findUniqueOrThrow({ where: { slug: decodeURIComponent(slug) } });
    const owner = await db.user.findUniqueOrThrow({ where: { email: OWNER.email } });
    const name = `quant-words-${Date.now()}`;
    const prompt = await db.prompt.create({
      data: {
        workspaceId: workspace.id,
        name,
        versions: { create: { number: 1, messages: [{ role: "user", content: "Tell me about {{ word }}" }], examples: [], counterexamples: [], params: { temperature: 0, maxTokens: 4 }, authorId: owner.id } },
      },
      include: { versions: true },
    });
    const suite = await db.suite.create({ data: { workspaceId: workspace.id, name, assertions: [{ type: "word-count", min: 1 }] } });
    await db.case.createMany({ data: ["latency", "prompt", "model", "token"].map((word, index) => ({ suiteId: suite.id, position: index, key: word, variables: { word } })) });
    await page.reload();
    const panel = page.locator(`[data-testid="tradeoff-panel"][data-model="${RANDOM_DEMO_MODEL}"]`);
    await panel.locator('[data-testid="suite-agreement-version"]').selectOption(prompt.versions[0]!.id);
    await panel.locator('[data-testid="suite-agreement-suite"]').selectOption(suite.id);
    await panel.locator('[data-testid="suite-agreement-run"]').click();
    await expect.poll(() => panel.locator('[data-testid="suite-agreement-status"]').innerText(), { timeout: 90_000 }).toContain("completed, 12 of 12 calls");
    expect(await panel.locator('[data-testid="suite-agreement-row"]').count()).toBe(3);
    const q8 = await panel.locator(`[data-testid="suite-agreement-row"][data-model="${RANDOM_DEMO_MODEL}-Q8_0"] [data-testid="suite-agreement-value"]`).innerText();
    expect(q8).toMatch(/^\d+\.\d% of 4$/);
    await panel.locator('[data-testid="suite-agreement"]').screenshot({ path: path.join(ARTIFACTS, "models-tradeoff-suite.png") });
    await panel.locator('[data-testid="suite-agreement-compare"]').click();
    await page.waitForURL(/\/compare\?variants=/);
  });

  it("a viewer sees the Quantize action disabled and why", async () => {
    const owner = await db.membership.findFirstOrThrow({ where: { user: { email: OWNER.email } }, orderBy: { createdAt: "asc" } });
    const id = `viewer-q-${Date.now().toString(36)}`;
    const email = `${id}@assay.test`;
    const password = "viewer horse battery";
    const user = await db.user.create({ data: { id, name: "Viewer", email, emailVerified: true } });
    await db.account.create({ data: { id: `${id}-credential`, accountId: id, providerId: "credential", userId: id, password: await hashPassword(password) } });
    await db.membership.create({ data: { workspaceId: owner.workspaceId, userId: id, role: "viewer" } });
    const viewerContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      const signIn = await viewerContext.request.post(`${appUrl}/api/auth/sign-in/email`, { data: { email, password }, headers: { origin: appUrl } });
      expect(signIn.status()).toBe(200);
      const viewerPage = await viewerContext.newPage();
      await viewerPage.goto(`${appUrl}/models`);
      const button = viewerPage.locator(`[data-testid="local-model-row"][data-model="${RANDOM_DEMO_MODEL}"] [data-testid="quantize-model"]`);
      await button.waitFor();
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute("title")).toBe("Quantizing needs the admin or owner role");
      expect(await viewerPage.locator('[data-testid="models-read-only"]').innerText()).toContain("(you are viewer)");
      expect(await viewerPage.locator('[data-testid="measure-tradeoff"]').count()).toBe(0);
      expect(await viewerPage.locator('[data-testid="tradeoff-row"]').count()).toBe(3);
    } finally {
      await viewerContext.close();
      await db.user.delete({ where: { id } });
    }
  });
});
