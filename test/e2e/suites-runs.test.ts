import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot, signedInContext } from "../support/browser.ts";

// Issue #4 in the browser: a suite built by import (a bad file first), default assertions edited with a server-side
// error shown on its field, a run of two variants on the local n-gram model watched to completion, and the results
// grid filtered to failures.

const appUrl = inject("appUrl");
let browser: Browser;
let context: BrowserContext;
let page: Page;
let suiteUrl = "";

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, appUrl);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
});

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const label = JSON.stringify([{ type: "label", classes: ["billing", "bug", "other"] }]);
const wordy = JSON.stringify([{ type: "word-count", min: 1 }]);
const goodRows = [
  ["refund-twice", "I was charged twice for March, please refund one.", "billing", "label", label],
  ["invoice-vat", "My invoice shows the wrong VAT number.", "billing", "label", label],
  ["export-crash", "The export button crashes the app every time.", "bug", "label", label],
  ["login-loop", "After the update the login page reloads forever.", "bug", "label", label],
  ["hello", "Just saying hello to the team!", "other", "label", label],
  ["weather", "What's the weather like in Lyon today?", "other", "label", label],
  ["dark-mode", "Please add a dark mode to the dashboard.", "", "smoke", wordy],
  ["api-limits", "What are the API rate limits on the free plan?", "", "smoke", wordy],
  ["delete-account", "How do I delete my account and all my data?", "", "smoke", wordy],
  ["slow-search", "Search takes ten seconds to return results.", "", "smoke", wordy],
  ["csv-import", "Can I import contacts from a CSV file?", "", "smoke", wordy],
  ["thanks", "Thanks, the fix works perfectly.", "", "smoke", wordy],
];
const header = "key,message,expected,tags,assertions";
const goodCsv = [header, ...goodRows.map((row) => row.map(csvCell).join(","))].join("\n");
// Row 3 (the header is row 1) names an assertion type that does not exist.
const badCsv = [
  header,
  goodRows[0]!.map(csvCell).join(","),
  ["typo", "Where is my parcel?", "other", "", JSON.stringify([{ type: "containz", value: "parcel" }])].map(csvCell).join(","),
  goodRows[1]!.map(csvCell).join(","),
].join("\n");

async function selectVersionOne(variant: ReturnType<Page["locator"]>) {
  const version = variant.locator('[data-testid="variant-0-version"]');
  const value = await version.locator("option", { hasText: /^v1\b/ }).getAttribute("value");
  await version.selectOption(value!);
}

async function upload(name: string, content: string) {
  await page.locator('[data-testid="import-file"]').setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(content) });
  await page.click('[data-testid="import-submit"]');
}

describe("suites and runs in the browser", () => {
  it("creates a suite and refuses a CSV with a bad row, naming the row and importing nothing", async () => {
    await page.goto(`${appUrl}/suites`);
    const form = page.locator('[data-testid="new-suite-form"]');
    if (!(await form.isVisible())) await page.click('[data-testid="new-suite"]');
    await page.fill('[data-testid="suite-name"]', "Support triage e2e");
    await page.fill('[data-testid="suite-description"]', "Routing questions with expected queues");
    await page.click('[data-testid="create-suite"]');
    await page.waitForURL(/\/suites\/[^/]+$/);
    suiteUrl = page.url();
    await expect.poll(() => page.locator('[data-testid="suite-title"]').textContent()).toBe("Support triage e2e");
    await page.locator('[data-testid="cases-empty"]').waitFor();

    await page.click('[data-testid="import-open"]');
    await upload("bad.csv", badCsv);
    const error = page.locator('[data-testid="import-error"]');
    await error.waitFor();
    const text = await error.textContent();
    expect(text).toContain("Nothing was imported from bad.csv");
    expect(text).toContain("Row 3");
    expect(text).toContain('unknown assertion type "containz"');
    expect(text).toContain('did you mean "contains"');
    await screenshot(page, "suite-import-error");
    expect(await page.locator('[data-testid="case-row"]').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid="cases-range"]').textContent()).toContain("0 cases");
  });

  it("imports the corrected CSV and adds a case inline", async () => {
    await upload("cases.csv", goodCsv);
    await expect.poll(() => page.locator('[data-testid="import-done"]').textContent()).toContain("Imported 12 cases");
    await expect.poll(() => page.locator('[data-testid="case-row"]').count()).toBe(12);
    await expect.poll(() => page.locator('[data-testid="tab-cases"]').textContent()).toContain("12");
    const first = page.locator('[data-testid="case-row"]').first();
    expect(await first.textContent()).toContain("refund-twice");
    expect(await first.textContent()).toContain("I was charged twice");

    await page.click('[data-testid="add-case"]');
    const editor = page.locator('[data-testid="new-case-editor"]');
    await editor.locator('[data-testid="case-key"]').fill("parcel");
    await editor.locator('[data-testid="case-var-message"]').fill("Where is my parcel? It has been two weeks.");
    await editor.locator('[data-testid="case-tags"]').fill("smoke");
    await editor.locator('[data-testid="case-assertions-toggle"]').click();
    await editor.locator('[data-testid="case-assertions-add"]').click();
    await editor.locator('[data-testid="case-assertions-0-type"]').selectOption("word-count");
    await editor.locator('[data-testid="case-assertions-0-min"]').fill("1");
    await editor.locator('[data-testid="save-case"]').click();
    await expect.poll(() => page.locator('[data-testid="case-row"]').count()).toBe(13);
    await expect.poll(() => page.locator('[data-testid="cases-range"]').textContent()).toContain("of 13 cases");

    // Export gives the same cases back, in suite order.
    const suiteId = suiteUrl.split("/").pop();
    const exported = await context.request.get(`${appUrl}/api/suites/${suiteId}/export?format=csv`);
    expect(exported.headers()["content-disposition"]).toContain("Support triage e2e.csv");
    const lines = (await exported.text()).trim().split("\n");
    expect(lines[0]).toBe("key,message,expected,tags,assertions");
    expect(lines).toHaveLength(14);
    expect(lines.at(-1)).toMatch(/^parcel,/);
  });

  it("shows the server's verdict on a default assertion on its field, then saves a valid one", async () => {
    await page.click('[data-testid="tab-assertions"]');
    await page.click('[data-testid="suite-assertions-add"]');
    await page.locator('[data-testid="suite-assertions-0-type"]').selectOption("regex");
    await page.fill('[data-testid="suite-assertions-0-value"]', "([a-z");
    await page.click('[data-testid="save-assertions"]');
    const fieldError = page.locator('[data-testid="suite-assertions-0-value-error"]');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/regular expression/i);
    await screenshot(page, "suite-assertion-error");

    await page.locator('[data-testid="suite-assertions-0-type"]').selectOption("latency");
    await page.fill('[data-testid="suite-assertions-0-threshold"]', "120000");
    await page.click('[data-testid="save-assertions"]');
    await page.locator('[data-testid="assertions-saved"]').waitFor();
    await expect.poll(() => page.locator('[data-testid="tab-assertions"]').textContent()).toContain("(1)");
    await page.click('[data-testid="tab-cases"]');
    await screenshot(page, "suite-page");
  });

  it("starts a run of two variants on the local model and watches it complete", { timeout: 240_000 }, async () => {
    await page.click('[data-testid="run-suite"]');
    await page.waitForURL(/\/runs\/new\?suite=/);
    const first = page.locator('[data-testid="variant-0"]');
    await first.locator('[data-testid="variant-0-prompt"]').selectOption({ label: "support-triage" });
    // v1, the zero-shot version: the demo's few-shot v2 does not fit the n-gram model's 512-token window.
    await selectVersionOne(first);
    // The version's own parameters are filled in (support-triage v1: max tokens 16).
    await expect.poll(() => first.locator('[data-testid="variant-0-max-tokens"]').inputValue()).toBe("16");
    await first.locator('[aria-label="Connection"]').selectOption({ label: "Local models" });
    await first.locator('[aria-label="Model"]').selectOption("assay-ngram-demo");
    await page.click('[data-testid="add-variant"]');
    const second = page.locator('[data-testid="variant-1"]');
    await second.locator('[data-testid="variant-1-label"]').fill("short answers");
    await second.locator('[data-testid="variant-1-max-tokens"]').fill("2");
    await page.fill('[data-testid="run-name"]', "e2e triage run");
    await page.fill('[data-testid="run-concurrency"]', "4");
    await expect.poll(() => page.locator('[data-testid="run-cells"]').textContent()).toContain("= 26 calls");
    await screenshot(page, "new-run-form");

    await page.click('[data-testid="start-run"]');
    await page.waitForURL(/\/runs\/(?!new)[^/?]+$/);
    const runId = page.url().split("/").pop();
    try {
      await expect.poll(() => page.locator('[data-testid="run-status"]').first().textContent(), { timeout: 150_000, interval: 500 }).toBe("completed");
    } catch (error) {
      await screenshot(page, "run-not-completed");
      const run = await (await context.request.get(`${appUrl}/api/runs/${runId}`)).text();
      throw new Error(`the run did not complete: ${run.slice(0, 3000)}`, { cause: error });
    }
    await expect.poll(() => page.locator('[data-testid="progress-text"]').textContent()).toContain("26 / 26 cells");
    expect(await page.locator('[data-testid="variant-summary-row"]').count()).toBe(2);
    await expect.poll(() => page.locator('[data-testid="results-count"]').textContent()).toBe("13 rows");
    // Six cases are a label task: accuracy and a confusion matrix appear.
    await page.locator('[data-testid="label-metrics"]').waitFor();
    expect(await page.locator('[data-testid="confusion-matrix"]').textContent()).toContain("billing");
    await screenshot(page, "run-page");
  });

  it("filters the results grid to failures and opens one", async () => {
    await page.click('[data-testid="filter-failures"]');
    // The count reads "Loading…" while the filtered rows load, and still shows the unfiltered count just after the
    // click: wait until a count is shown and every rendered row failed somewhere.
    const count = async () => {
      const text = (await page.locator('[data-testid="results-count"]').textContent()) ?? "";
      return /^[\d,]+ rows?$/.test(text) ? Number(text.split(" ")[0]?.replace(/,/g, "")) : Number.NaN;
    };
    const rows = page.locator('[data-testid="result-row"]');
    await expect
      .poll(async () => {
        const texts = await rows.allTextContents();
        return (await count()) > 0 && texts.length > 0 && texts.every((text) => /FAIL|ERROR/.test(text));
      })
      .toBe(true);
    const failures = await count();
    expect(failures).toBeLessThanOrEqual(13);
    // Only the rows in view (and a margin) are in the DOM.
    const rendered = await rows.count();
    expect(rendered).toBeLessThanOrEqual(failures);
    for (let index = 0; index < rendered; index++) {
      expect(await rows.nth(index).textContent()).toMatch(/FAIL|ERROR/);
    }
    // A failing label cell says why.
    expect(await page.locator('[data-testid="result-reason"]').first().textContent()).toBeTruthy();
    await page.locator('[data-testid="results-grid"]').scrollIntoViewIfNeeded();
    await screenshot(page, "results-grid");

    await rows.first().click();
    const detail = page.locator('[data-testid="result-detail"]');
    await detail.waitFor();
    expect(await detail.textContent()).toContain("Variables");
    await screenshot(page, "result-detail");
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached" });

    await page.click('[data-testid="filter-all"]');
    await expect.poll(() => page.locator('[data-testid="results-count"]').textContent()).toBe("13 rows");
  });

  it("cancels a run in flight and resumes it, running only the missing cells", { timeout: 240_000 }, async () => {
    await page.goto(`${appUrl}/runs/new?suite=${suiteUrl.split("/").pop()}`);
    const first = page.locator('[data-testid="variant-0"]');
    await first.locator('[data-testid="variant-0-prompt"]').selectOption({ label: "support-triage" });
    await selectVersionOne(first);
    await expect.poll(() => first.locator('[data-testid="variant-0-max-tokens"]').inputValue()).toBe("16");
    await first.locator('[aria-label="Connection"]').selectOption({ label: "Local models" });
    await first.locator('[aria-label="Model"]').selectOption("assay-ngram-demo");
    await page.fill('[data-testid="run-name"]', "e2e cancel and resume");
    await page.fill('[data-testid="run-repeats"]', "8");
    await page.fill('[data-testid="run-concurrency"]', "1");
    await expect.poll(() => page.locator('[data-testid="run-cells"]').textContent()).toContain("= 104 calls");
    await page.click('[data-testid="start-run"]');
    await page.waitForURL(/\/runs\/(?!new)[^/?]+$/);

    // Progress streams in: some cells done, not all.
    const doneCells = async () => Number((await page.locator('[data-testid="progress-text"] strong').textContent())?.replace(/,/g, ""));
    await expect.poll(doneCells, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
    await page.click('[data-testid="cancel-run"]');
    await expect.poll(() => page.locator('[data-testid="run-status"]').first().textContent(), { timeout: 30_000 }).toBe("cancelled");
    expect(await doneCells()).toBeLessThan(104);
    const resume = page.locator('[data-testid="resume-run"]');
    await expect.poll(async () => (await resume.textContent())?.includes(`${104 - (await doneCells())} missing`)).toBe(true);

    await resume.click();
    await expect.poll(() => page.locator('[data-testid="run-status"]').first().textContent(), { timeout: 180_000, interval: 500 }).toBe("completed");
    await expect.poll(() => page.locator('[data-testid="progress-text"]').textContent()).toContain("104 / 104 cells");
    // Repeats are rows of their own: 13 cases × 8 repeats.
    await expect.poll(() => page.locator('[data-testid="results-count"]').textContent()).toBe("104 rows");
  });

  it("lists the run with its status and progress", async () => {
    await page.goto(`${appUrl}/runs`);
    const row = page.locator('[data-testid="run-row"]', { hasText: "e2e triage run" });
    await row.waitFor();
    expect(await row.locator('[data-testid="run-status"]').textContent()).toBe("completed");
    expect(await row.textContent()).toContain("26 / 26");
    await screenshot(page, "runs-list");
  });
});
