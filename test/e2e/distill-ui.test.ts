import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureOwner, launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { keywordLabel, keywordTexts } from "../support/keyword-texts.ts";
import { formatNumber, formatPercent } from "../../lib/format.ts";
import { ownerWorkspace } from "./compare-seed.ts";

// The distillation screens against the real app and its worker: a distillation started from the form (reached from
// the prompt's version list) against a fake teacher that labels support tickets by keyword, followed live to done;
// the report shows the agreement, the coverage–agreement curve renders, and Compare opens the compare screen.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");

const appUrl = inject("appUrl");
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fake: FakeOpenAI;
let promptId: string;
let versionId: string;
let suiteId: string;
let connectionId: string;
const stamp = Date.now().toString(36);
const name = `tickets-${stamp}`;

beforeAll(async () => {
  await ensureOwner(appUrl);
  const owner = await ownerWorkspace(db, OWNER.email);
  fake = await startFakeOpenAI({ reply: (request) => keywordLabel(request.lastUserMessage) });
  connectionId = (await db.connection.create({ data: { workspaceId: owner.workspaceId, name: `Distill teacher ${stamp}`, baseUrl: fake.url, models: { create: [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }] } } })).id;
  suiteId = (await db.suite.create({ data: { workspaceId: owner.workspaceId, name: `Tickets ${stamp}`, assertions: [] } })).id;
  await db.case.createMany({
    data: keywordTexts(600, 7).map((text, index) => ({ suiteId, position: index, key: `ticket-${index}`, variables: { text } })),
  });
  const prompt = await db.prompt.create({
    data: {
      workspaceId: owner.workspaceId,
      name: `ticket-router-${stamp}`,
      versions: {
        create: {
          number: 1,
          authorId: owner.userId,
          messages: [{ role: "user", content: "Route this ticket: {{ text }}" }],
          examples: [],
          counterexamples: [],
          params: { temperature: 0 },
          commitMessage: "keyword router",
        },
      },
    },
    include: { versions: true },
  });
  promptId = prompt.id;
  versionId = prompt.versions[0]!.id;
  browser = await launchBrowser();
  context = await signedInContext(browser, appUrl);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await fake?.close();
});

describe("distillation screens", () => {
  it("starts a distillation from the prompt's version, follows it to done and shows the report and the curve", async () => {
    await page.goto(`${appUrl}/prompts/${promptId}`);
    await page.click('[data-testid="tab-versions"]');
    const distill = page.locator('[data-testid="version-distill"]').first();
    await distill.waitFor();
    await distill.click();
    await page.locator('[data-testid="distill-form"]').waitFor();
    expect(await page.locator('[data-testid="distill-prompt"]').inputValue()).toBe(promptId);
    expect(await page.locator('[data-testid="distill-version"]').inputValue()).toBe(`v:${versionId}`);
    await page.locator('[data-testid="distill-suite"]').selectOption(suiteId);
    await page.locator('[data-testid="distill-connection"]').selectOption(connectionId);
    await page.locator('[data-testid="distill-model"]').fill("fake-echo");
    await page.locator('[data-testid="distill-name"]').fill(name);
    // the language model's plain warning shows when it is picked
    await page.locator('[data-testid="distill-kind-lm"]').check();
    expect(await page.locator('[data-testid="distill-lm-warning"]').innerText()).toBe(
      "A model trained here from a tiny base only learns short templated outputs; start from your own base GGUF.",
    );
    await page.locator('[data-testid="distill-kind-classifier"]').check();
    await screenshot(page, "distill-form");
    await page.locator('[data-testid="start-distillation"]').click();

    await page.waitForURL(/\/distill\/[^/]+$/, { timeout: 30_000 });
    await page.locator('[data-testid="distillation-screen"]').waitFor();
    await screenshot(page, "distill-detail-running");
    const screen = page.locator('[data-testid="distillation-screen"][data-state="done"]');
    await screen.waitFor({ timeout: 120_000 });
    // the loss curve was drawn from the points the job recorded
    expect(Number(await page.locator('[data-testid="loss-chart"]').getAttribute("data-points"))).toBeGreaterThan(0);
    const agreement = await page.locator('[data-testid="report-agreement"]').innerText();
    expect(agreement).toMatch(/^\d+\.\d%$/);
    const stored = await db.distillation.findFirstOrThrow({ where: { name }, select: { id: true, report: true } });
    expect(agreement).toBe(formatPercent((stored.report as { exactMatch: number }).exactMatch));
    expect(Number.parseFloat(agreement)).toBeGreaterThanOrEqual(95);
    expect(await page.locator('[data-testid="confusion-matrix"]').count()).toBe(1);
    expect(Number(await page.locator('[data-testid="coverage-curve"]').getAttribute("data-points"))).toBeGreaterThan(1);
    expect(await page.locator('[data-testid="coverage-picked"]').count()).toBe(1);
    expect(await page.locator('[data-testid="use-it-model"]').allInnerTexts()).toContain(`student:${name}`);
    await page.setViewportSize({ width: 1440, height: 2900 });
    await screenshot(page, "distill-detail-done");
    await page.setViewportSize({ width: 1440, height: 900 });

    // the cascade's threshold set by hand: stored on the student, the figures at it shown
    const picked = (await db.student.findFirstOrThrow({ where: { name } })).cascadeThreshold;
    expect(await page.locator('[data-testid="cascade-threshold"]').innerText()).toBe(formatNumber(picked, 2));
    await page.locator('[data-testid="cascade-mode-threshold"]').click();
    await page.locator('[data-testid="cascade-threshold-input"]').fill("0.9");
    await page.locator('[data-testid="cascade-apply"]').click();
    await expect.poll(async () => (await db.student.findFirstOrThrow({ where: { name } })).cascadeThreshold).not.toBe(picked);
    await expect.poll(() => page.locator('[data-testid="cascade-threshold"]').innerText()).toBe(
      formatNumber((await db.student.findFirstOrThrow({ where: { name } })).cascadeThreshold, 2),
    );

    // the list shows it with its agreement
    // the workspace's pages (/distill is new: no pre-workspace link to redirect)
    const workspaceBase = new URL(page.url()).pathname.replace(/\/distill\/[^/]+$/, "");
    await page.goto(`${appUrl}${workspaceBase}/distill`);
    const row = page.locator('[data-testid="distillation-row"]', { hasText: name });
    await row.waitFor();
    expect(await row.getAttribute("data-state")).toBe("done");
    expect(await row.locator('[data-testid="distillation-agreement"]').innerText()).toBe(agreement);
    await screenshot(page, "distill-list");

    // the Local models page lists the student, linked to its distillation
    await page.goto(`${appUrl}/models`);
    const student = page.locator('[data-testid="student-row"]', { hasText: `student:${name}` });
    await student.waitFor();
    expect(await student.locator('[data-testid="student-distillation"]').getAttribute("href")).toMatch(new RegExp(`/distill/${stored.id}$`));
    await page.goto(`${appUrl}${workspaceBase}/distill`);

    // the name is taken now: the form says so next to the name, and nothing starts
    await page.goto(`${appUrl}${workspaceBase}/distill/new?prompt=${promptId}`);
    await page.locator('[data-testid="distill-suite"]').selectOption(suiteId);
    await page.locator('[data-testid="distill-connection"]').selectOption(connectionId);
    await page.locator('[data-testid="distill-model"]').fill("fake-echo");
    await page.locator('[data-testid="distill-name"]').fill(name);
    await page.locator('[data-testid="start-distillation"]').click();
    const nameError = page.locator('[data-testid="field-error"][data-field="name"]');
    await nameError.waitFor();
    expect(await nameError.innerText()).toBe(`A student or distillation named "${name}" already exists in this workspace`);
    expect(await db.distillation.count({ where: { name } })).toBe(1);
    await page.goto(`${appUrl}${workspaceBase}/distill`);

    // Compare: teacher vs student on the held-out cases, in the compare screen
    await row.locator("a").first().click();
    await page.locator('[data-testid="compare-student"]').click();
    await page.waitForURL(/\/compare\?variants=[^,]+,[^,]+$/, { timeout: 30_000 });
    await page.locator('[data-testid="compare-waiting"], [data-testid="verdicts"]').first().waitFor({ timeout: 60_000 });
  });
});
