import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureOwner, launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { ownerWorkspace } from "./compare-seed.ts";

// The pruning screen against the real app and its worker: reached from the ablation screen, it prunes the two
// examples that do nothing (the fake answers right only with "key alpha" and "key gamma" shown) and saves the rest
// as a new version.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");

const appUrl = inject("appUrl");
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fake: FakeOpenAI;
let versionId: string;
let promptId: string;
let suiteId: string;
let connectionId: string;

beforeAll(async () => {
  await ensureOwner(appUrl);
  const owner = await ownerWorkspace(db, OWNER.email);
  fake = await startFakeOpenAI({
    reply: (request) => {
      const shown = (text: string) => request.messages.some((message) => message.role === "user" && message.content.includes(text));
      if (!shown("key alpha") || !shown("key gamma")) return "unsure";
      return request.lastUserMessage.includes("great") ? "positive" : "negative";
    },
  });
  const stamp = Date.now().toString(36);
  connectionId = (await db.connection.create({ data: { workspaceId: owner.workspaceId, name: `Prune fake ${stamp}`, baseUrl: fake.url, models: { create: [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }] } } })).id;
  suiteId = (await db.suite.create({ data: { workspaceId: owner.workspaceId, name: `Prune reviews ${stamp}`, assertions: [{ type: "equals", value: "{{ expected }}" }] } })).id;
  await db.case.createMany({
    data: Array.from({ length: 12 }, (_, index) => ({ suiteId, position: index, key: `review-${index}`, variables: { text: `${index % 2 === 0 ? "great" : "awful"} product ${index}` }, expected: index % 2 === 0 ? "positive" : "negative" })),
  });
  const prompt = await db.prompt.create({
    data: {
      workspaceId: owner.workspaceId,
      name: `prune-sentiment-${stamp}`,
      versions: {
        create: {
          number: 1,
          authorId: owner.userId,
          messages: [{ role: "user", content: "Classify: {{ text }}" }],
          examples: [
            { variables: { text: "key alpha" }, output: "positive" },
            { variables: { text: "filler two" }, output: "positive" },
            { variables: { text: "key gamma" }, output: "negative" },
            { variables: { text: "filler four" }, output: "negative" },
          ],
          counterexamples: [],
          params: { temperature: 0 },
          commitMessage: "four examples",
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

describe("example pruning screen", () => {
  it("is reached from the prompt page's Prune examples, with the opened version prefilled", async () => {
    await page.goto(`${appUrl}/prompts/${promptId}?v=${versionId}`);
    await page.locator('[data-testid="prune-examples"]').click();
    await page.waitForURL(/\/compare\/prune\?version=/);
    await page.locator('[data-testid="prune-form"]').waitFor();
    expect(await page.locator('[data-testid="prune-version"]').inputValue()).toBe(versionId);
  });

  it("is reached from the ablation screen, prunes two of four examples and saves the rest as a new version", async () => {
    await page.goto(`${appUrl}/compare/ablation?version=${versionId}`);
    await page.locator('[data-testid="open-prune"]').click();
    await page.locator('[data-testid="prune-form"]').waitFor();
    expect(await page.locator('[data-testid="prune-version"]').inputValue()).toBe(versionId);
    await page.locator('[data-testid="prune-suite"]').selectOption(suiteId);
    await page.locator('[data-testid="prune-form"] select').nth(2).selectOption(connectionId);
    await page.locator('[data-testid="prune-model"]').fill("fake-echo");
    await page.locator('[data-testid="start-prune"]').click();
    // It runs in the background: the screen follows its rounds until the report arrives.
    await expect.poll(() => page.locator('[data-testid="prune-round"]').innerText(), { timeout: 10_000 }).toMatch(/^(Round [1-4] of at most 4|Last run: the full prompt and the smallest set side by side)/);
    const report = page.locator('[data-testid="prune-report"]');
    await report.waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="prune-progress"]').count()).toBe(0);
    const stored = await db.pruning.findFirstOrThrow({ where: { versionId }, orderBy: { createdAt: "desc" } });
    expect([stored.state, (stored.report as { removed: string[] }).removed]).toEqual(["completed", ["example 4", "example 2"]]);
    expect(await report.locator("h2").innerText()).toBe("Keeps 2 examples and 0 counterexamples — removed example 4, example 2");
    expect(await page.locator('[data-testid="prune-pass"]').innerText()).toBe("100.0% → 100.0% (12 cases)");
    expect(await page.locator('[data-testid="prune-compare"]').getAttribute("href")).toMatch(/\/compare\?variants=[^,]+,[^,]+$/);
    await page.setViewportSize({ width: 1440, height: 1400 });
    await screenshot(page, "prune-report");
    await page.locator('[data-testid="prune-save"]').click();
    await page.locator('[data-testid="prune-saved"]').waitFor();
    const saved = await db.promptVersion.findFirstOrThrow({ where: { promptId, number: 2 } });
    expect((saved.examples as { variables: { text: string } }[]).map((example) => example.variables.text)).toEqual(["key alpha", "key gamma"]);
  });
});
