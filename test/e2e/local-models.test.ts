import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL, TRIAGE_DEMO_MODEL } from "../../lib/local-models/demo-models.ts";
import { greedyContinuation, loadCorpus, trainNgramModel } from "../../lib/local-models/ngram-model.ts";
import { writeRandomModel } from "../../lib/local-models/random-model.ts";
import { hashPassword } from "better-auth/crypto";
import { launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";

// Issue #3 in the browser, against the real `assay start` (which runs the model server): the Models page lists the
// demo models from their GGUF headers, a user adds a GGUF by path, measures its speed and removes it; then a demo
// prompt runs in the playground against the built-in Local models connection, with no key and no network.

const appUrl = inject("appUrl");
process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
let browser: Browser;
let context: BrowserContext;
let page: Page;
let filesDir: string;
let outsideDir: string;

beforeAll(async () => {
  // Registering by path is limited to the models folder and ASSAY_MODEL_PATHS (this folder, see app-setup.ts).
  await mkdir(inject("registeredModelsDir"), { recursive: true });
  filesDir = await mkdtemp(path.join(inject("registeredModelsDir"), "gguf-"));
  outsideDir = await mkdtemp(path.join(os.tmpdir(), "assay-e2e-outside-"));
  await writeRandomModel(path.join(outsideDir, "elsewhere.gguf"), { seed: 6 });
  await writeRandomModel(path.join(filesDir, "team-distilled-q8.gguf"), { seed: 5, name: "Team distilled student" });
  browser = await launchBrowser();
  context = await signedInContext(browser, appUrl);
  page = await context.newPage();
  page.on("dialog", (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
  await rm(filesDir, { recursive: true, force: true });
  await rm(outsideDir, { recursive: true, force: true });
});

const row = (name: string) => page.locator(`[data-testid="local-model-row"][data-model="${name}"]`);

describe("local models", () => {
  it("lists the demo models with what their GGUF headers say, and the running server", async () => {
    await page.goto(`${appUrl}/models`);
    await row(NGRAM_DEMO_MODEL).waitFor();
    await expect.poll(() => page.locator('[data-testid="server-status"]').innerText()).toContain("Model server running at");
    for (const name of [NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL]) {
      expect(await row(name).locator('[data-testid="model-architecture"]').innerText()).toBe("llama");
      expect(await row(name).locator('[data-testid="model-quantization"]').innerText()).toBe("F32");
      expect(await row(name).locator('[data-testid="model-context"]').innerText()).toBe("2,048");
    }
    expect(await row(RANDOM_DEMO_MODEL).locator('[data-testid="model-parameters"]').innerText()).toBe("918 K");
    expect(await row(RANDOM_DEMO_MODEL).locator('[data-testid="model-size"]').innerText()).toBe("3.7 MB");
  });

  it("refuses a path that is not a GGUF file, with the reason under the field", async () => {
    await page.fill('[data-testid="model-path"]', path.join(filesDir, "missing.gguf"));
    await page.click('[data-testid="add-model"]');
    await expect.poll(() => page.locator('[data-testid="model-path-error"]').innerText()).toContain("No file at");
    await page.fill('[data-testid="model-path"]', filesDir);
    await page.click('[data-testid="add-model"]');
    await expect.poll(() => page.locator('[data-testid="model-path-error"]').innerText()).toContain("is a folder");
    // Outside the allowed folders: one answer, whether the file is there or not.
    const allowed = inject("registeredModelsDir");
    const refusal = `Models can be registered only from ${path.join(path.dirname(allowed), "models")}, ${allowed}.`;
    for (const file of ["elsewhere.gguf", "missing.gguf"]) {
      await page.fill('[data-testid="model-path"]', path.join(outsideDir, file));
      await page.click('[data-testid="add-model"]');
      await expect.poll(() => page.locator('[data-testid="model-path-error"]').innerText()).toBe(refusal);
    }
  });

  it("adds a GGUF by path; the server serves it and the playground's picker lists it; its speed is measured and stored", async () => {
    await page.fill('[data-testid="model-path"]', path.join(filesDir, "team-distilled-q8.gguf"));
    expect(await page.getAttribute('[data-testid="model-name"]', "placeholder")).toBe("team-distilled-q8");
    await page.click('[data-testid="add-model"]');
    const added = row("team-distilled-q8");
    await added.waitFor();
    expect(await added.innerText()).toContain("registered");
    expect(await added.innerText()).toContain("Team distilled student");
    expect(await page.locator('[data-testid="models-notice"]').innerText()).toContain("Local models connection");

    const connections = await page.evaluate(async () => (await fetch("/api/connections")).json());
    const local = (connections as { kind: string; models: { name: string }[] }[]).find((connection) => connection.kind === "local");
    expect(local?.models.map((model) => model.name)).toContain("team-distilled-q8");

    await added.locator('[data-testid="measure-speed"]').click();
    await expect.poll(() => added.locator('[data-testid="measured-speed"]').innerText(), { timeout: 60_000 }).toMatch(/^[\d,.]+ tok\/s$/);
    expect(await added.locator('[data-testid="measure-result"]').innerText()).toContain("first token");
    await row(NGRAM_DEMO_MODEL).locator('[data-testid="measure-speed"]').click();
    await expect.poll(() => row(NGRAM_DEMO_MODEL).locator('[data-testid="measured-speed"]').innerText(), { timeout: 60_000 }).toMatch(/tok\/s$/);
    // Live figures from the server's /metrics arrive with the next refresh.
    await expect.poll(() => added.locator('[data-testid="live-speed"]').innerText(), { timeout: 15_000 }).toMatch(/^live [\d,.]+ tok\/s · TTFT \d+ ms · 3 req$/);
    await screenshot(page, "local-models");

    // Stored, so a reload still shows it.
    await page.reload();
    await expect.poll(() => row("team-distilled-q8").locator('[data-testid="measured-speed"]').innerText()).toMatch(/tok\/s$/);
  });

  it("removes a registered model, leaving the file", async () => {
    await row("team-distilled-q8").locator('[data-testid="remove-model"]').click();
    await expect.poll(() => row("team-distilled-q8").count()).toBe(0);
    expect(await page.locator('[data-testid="models-notice"]').innerText()).toContain('Removed "team-distilled-q8"');
    await page.reload();
    await row(NGRAM_DEMO_MODEL).waitFor();
    expect(await row("team-distilled-q8").count()).toBe(0);
    expect(await row(NGRAM_DEMO_MODEL).locator('[data-testid="remove-model"]').count()).toBe(0);
  });

  it("runs a demo prompt in the playground against the Local models connection, streamed, with its latency figures", async () => {
    await page.goto(`${appUrl}/prompts`);
    await page.locator('[data-testid="prompt-row"]', { hasText: "support-triage" }).locator("a").first().click();
    await page.waitForURL(/\/prompts\/[^/]+$/);
    await page.click('[data-testid="tab-playground"]');
    const target = page.locator('[data-testid="target-0"]');
    await target.locator('[aria-label="Connection"]').selectOption({ label: "Local models" });
    await target.locator('[aria-label="Model"]').selectOption(NGRAM_DEMO_MODEL);
    const message = "My invoice shows the wrong latency";
    await page.fill('[data-testid="variable-message"]', message);

    await page.keyboard.press("ControlOrMeta+Enter");
    // The n-gram model continues the last word of the conversation as its counts say, at temperature 0.
    const ngram = trainNgramModel(await loadCorpus());
    const expected = greedyContinuation(ngram, "latency", 16).text.trimStart();
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(() => target.locator('[data-testid="output"]').innerText(), { timeout: 30_000 }).toBe(expected);
    await expect.poll(() => target.locator('[data-testid="metric-ttft"]').innerText()).toMatch(/^\d+ ms$|^[\d.]+ s$/);
    await expect.poll(() => target.locator('[data-testid="metric-latency"]').innerText()).toMatch(/^\d+ ms$|^[\d.]+ s$/);
    expect(await target.locator('[data-testid="metric-out"]').innerText()).toBe(String(greedyContinuation(ngram, "latency", 16).tokens.length));
    expect(await target.locator('[data-testid="metric-finish"]').innerText()).toBe("stop");
    expect(await target.locator('[data-testid="metric-cost"]').innerText()).toBe("$0");
    await screenshot(page, "local-models-playground");
  });

  it("a viewer sees the models' file names, not where they are on disk", async () => {
    const owner = await db.membership.findFirstOrThrow({ where: { user: { email: OWNER.email } }, orderBy: { createdAt: "asc" } });
    const email = `viewer-${Date.now().toString(36)}@assay.test`;
    const password = "viewer horse battery";
    // Invitations do not exist yet: the member is written directly, as better-auth stores an email sign-up.
    const user = await db.user.create({ data: { id: `viewer-${Date.now().toString(36)}`, name: "Viewer", email, emailVerified: true } });
    await db.account.create({ data: { id: `${user.id}-credential`, accountId: user.id, providerId: "credential", userId: user.id, password: await hashPassword(password) } });
    await db.membership.create({ data: { workspaceId: owner.workspaceId, userId: user.id, role: "viewer" } });
    const viewerContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      const signIn = await viewerContext.request.post(`${appUrl}/api/auth/sign-in/email`, { data: { email, password }, headers: { origin: appUrl } });
      expect(signIn.status()).toBe(200);
      const viewerPage = await viewerContext.newPage();
      await viewerPage.goto(`${appUrl}/models`);
      await viewerPage.locator(`[data-testid="local-model-row"][data-model="${NGRAM_DEMO_MODEL}"]`).waitFor();
      expect(await viewerPage.locator('[data-testid="model-file"]').allInnerTexts()).toEqual([`${NGRAM_DEMO_MODEL}.gguf`, `${RANDOM_DEMO_MODEL}.gguf`, `${TRIAGE_DEMO_MODEL}.gguf`]);
      const home = path.dirname(inject("registeredModelsDir"));
      expect(await viewerPage.locator("body").innerText()).not.toContain(home);
      expect(await viewerPage.content()).not.toContain(home);
      expect(await viewerPage.locator('[data-testid="add-model-form"]').count()).toBe(0);
      const listed = (await (await viewerContext.request.get(`${appUrl}/api/local-models`)).json()) as { modelsDir: unknown; models: { path: unknown }[] };
      expect([listed.modelsDir, ...listed.models.map((model) => model.path)]).toEqual([null, null, null, null]);
      await screenshot(viewerPage, "local-models-viewer");
    } finally {
      await viewerContext.close();
      await db.user.delete({ where: { id: user.id } });
    }
  });
});
