import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";
import { classifierPromptText, loadSupportCorpus, predictLabel, trainClassifierModel } from "../../lib/local-models/classifier-model.ts";
import { assembleMessages } from "../../lib/prompts/assemble.ts";
import type { PromptContent } from "../../lib/prompts/types.ts";
import { DEMO_PROMPTS, TRIAGE_FEW_SHOT } from "../../lib/workspaces/demo-content.ts";

// Issue #13's first visit: the Start here panel, the demo prompt opening with its first test input filled in so Run
// answers on the first click (no "Missing variable"), the picker and "Save as test input", the demo run computed at
// start from the local model, and its comparison. Runs after 01-first-run (which creates the owner and adopts the
// demo workspace).

const appUrl = inject("appUrl");
process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
let browser: Browser;
let page: Page;

const triage = DEMO_PROMPTS.find((prompt) => prompt.name === "support-triage")!;
const testInputs = triage.testInputs as { name: string; variables: { message: string } }[];
/** What the classifier answers for support-triage v2 (the latest, which the studio opens) on these variables. */
async function expectedAnswer(message: string): Promise<string> {
  const model = trainClassifierModel(await loadSupportCorpus());
  const fewShot = { ...triage, examples: TRIAGE_FEW_SHOT.examples, counterexamples: TRIAGE_FEW_SHOT.counterexamples };
  return predictLabel(model, classifierPromptText(assembleMessages(fewShot as PromptContent, { message })));
}

beforeAll(async () => {
  // A first visit: files before this one (access-roles calls DELETE /api/start-here as every role) may have closed it.
  await db.membership.updateMany({ where: { user: { email: OWNER.email } }, data: { startHereDismissedAt: null } });
  browser = await launchBrowser();
  page = await (await signedInContext(browser, appUrl)).newPage();
});

afterAll(async () => {
  await browser?.close();
});

describe("the demo on a first visit", () => {
  it("shows Start here with four steps, and its first step opens the demo prompt filled in: Run answers on the first click", async () => {
    await page.goto(`${appUrl}/prompts`);
    const panel = page.locator('[data-testid="start-here"]');
    await panel.waitFor();
    expect(await panel.locator("li").count()).toBe(4);
    await screenshot(page, "demo-start-here");

    await page.click('[data-testid="start-here-edit"]');
    await page.waitForURL(/\/prompts\/[^/?]+$/);
    const first = testInputs[0]!;
    await expect.poll(() => page.locator('[data-testid="variable-message"]').inputValue()).toBe(first.variables.message);
    expect(await page.locator('[data-testid="test-input-picker"]').inputValue()).toBe(first.name);
    await page.click('[data-testid="run"]');
    const output = page.locator('[data-testid="target-0"] [data-testid="output"]');
    await expect.poll(() => output.innerText(), { timeout: 30_000 }).toBe(await expectedAnswer(first.variables.message));
    expect(await page.locator('[data-testid="playground-error"]').count()).toBe(0);
    expect(await page.locator("body").innerText()).not.toContain("Missing variable");
  });

  it("opens the other demo prompts filled in too: Run answers on the first click", async () => {
    for (const name of ["review-sentiment", "ticket-summary"]) {
      await page.goto(`${appUrl}/prompts`);
      await page.locator('[data-testid="prompt-row"]', { hasText: name }).locator("a").first().click();
      await page.waitForURL(/\/prompts\/[^/?]+$/);
      await page.locator('[data-testid="test-input-picker"]').waitFor();
      await page.click('[data-testid="run"]');
      const output = page.locator('[data-testid="target-0"] [data-testid="output"]');
      await expect.poll(async () => (await output.innerText()).trim().length, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await page.locator('[data-testid="playground-error"]').count(), name).toBe(0);
      expect(await page.locator("body").innerText()).not.toContain("Missing variable");
    }
    await page.goto(`${appUrl}/prompts`);
    await page.locator('[data-testid="prompt-row"]', { hasText: "support-triage" }).locator("a").first().click();
    await page.waitForURL(/\/prompts\/[^/?]+$/);
    await page.locator('[data-testid="test-input-picker"]').waitFor();
  });

  it("picks another test input, and keeps typed variables as a new one in the draft", async () => {
    const second = testInputs[1]!;
    await page.locator('[data-testid="test-input-picker"]').selectOption(second.name);
    await expect.poll(() => page.locator('[data-testid="variable-message"]').inputValue()).toBe(second.variables.message);
    await page.click('[data-testid="run"]');
    const output = page.locator('[data-testid="target-0"] [data-testid="output"]');
    await expect.poll(() => output.innerText(), { timeout: 30_000 }).toBe(await expectedAnswer(second.variables.message));
    await screenshot(page, "demo-playground-test-inputs");

    await page.fill('[data-testid="variable-message"]', "Where do I download last month's invoice?");
    await expect.poll(() => page.locator('[data-testid="test-input-picker"]').inputValue()).toBe("");
    await page.click('[data-testid="save-test-input"]');
    await page.fill('[data-testid="test-input-new-name"]', "Invoice download");
    await page.click('[data-testid="test-input-add"]');
    await page.locator('[data-testid="dirty"]').waitFor();
    const added = page.locator(`[data-testid="test-input-${testInputs.length}-name"]`);
    expect(await added.inputValue()).toBe("Invoice download");
    expect(await page.locator('[data-testid="test-input-picker"]').inputValue()).toBe("Invoice download");
    await page.click("text=Discard changes");
    await expect.poll(() => page.locator('[data-testid="dirty"]').count()).toBe(0);
  });

  it("links the demo run (computed at start from the local model) and its comparison, and closes for good", { timeout: 180_000 }, async () => {
    await page.goto(`${appUrl}/prompts`);
    await page.click('[data-testid="start-here-run"]');
    await page.waitForURL(/\/runs\/run[^/?]+$/);
    await expect.poll(() => page.locator('[data-testid="progress-text"]').innerText(), { timeout: 120_000 }).toMatch(/^48 \/ 48 cells · 0 errors/);
    await expect.poll(() => page.locator('[data-testid="run-progress"]').innerText(), { timeout: 30_000 }).toContain("completed");
    await page.locator('[data-testid="result-row"]').first().waitFor();
    await screenshot(page, "demo-run");

    await page.goto(`${appUrl}/prompts`);
    await page.click('[data-testid="start-here-compare"]');
    await page.waitForURL(/\/compare\?run=/);
    await page.locator('[data-testid="compare-screen"]').waitFor();
    const legend = await page.locator('[data-testid="variant-legend"]').innerText();
    expect(legend).toContain("v1 zero-shot");
    expect(legend).toContain("v2 few-shot");
    await screenshot(page, "demo-compare");

    await page.goto(`${appUrl}/prompts`);
    await page.click('[data-testid="start-here-share"]');
    await page.waitForURL(/\/settings\/members$/);

    await page.goto(`${appUrl}/prompts`);
    await page.click('[data-testid="start-here-dismiss"]');
    await expect.poll(() => page.locator('[data-testid="start-here"]').count()).toBe(0);
    await page.reload();
    await page.locator('[data-testid="prompt-row"]').first().waitFor();
    expect(await page.locator('[data-testid="start-here"]').count()).toBe(0);
  });
});
