import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, OWNER, screenshot } from "../support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// The journey of issue #2: a new user creates the owner account, adds a connection to an OpenAI-compatible API (the
// fake server), writes a few-shot prompt with a counterexample and runs it against two models side by side.

const API_KEY = "sk-e2e-secret-key-0000-abcd";
let browser: Browser;
let page: Page;
let fake: FakeOpenAI;
const appUrl = inject("appUrl");

beforeAll(async () => {
  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    models: ["fake-echo", "fake-slow"],
    reply: (request) => (request.lastUserMessage.includes("refund") ? "billing" : "other"),
  });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await fake?.close();
});

/** Replaces the text of the n-th CodeMirror template editor. */
async function typeTemplate(index: number, text: string) {
  const editor = page.locator('[data-testid="messages-editor"] .cm-content').nth(index);
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

describe("first run: owner account, connection, few-shot prompt, side-by-side run", () => {
  it("a new user creates the owner account and lands on the demo prompts", async () => {
    await page.goto(`${appUrl}/`);
    await page.waitForURL(/\/setup$/);
    await page.fill("#name", OWNER.name);
    await page.fill("#email", OWNER.email);
    await page.fill("#password", OWNER.password);
    await page.fill("#workspaceName", OWNER.workspaceName);
    await page.click('[data-testid="setup-submit"]');
    await page.waitForURL(/\/prompts$/);
    await page.locator('[data-testid="prompt-row"]').first().waitFor();
    expect(await page.locator('[data-testid="prompt-row"]').count()).toBeGreaterThanOrEqual(2);
    // Setup is closed once an owner exists.
    expect((await fetch(`${appUrl}/api/setup`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).not.toBe(201);
  });

  it("adds a connection, fetching its models with the key; the key is never shown again", async () => {
    await page.goto(`${appUrl}/connections`);
    await page.click('[data-testid="add-connection"]');
    await page.fill("#connection-name", "Fake OpenAI");
    await page.fill("#connection-url", fake.url);
    await page.fill("#connection-key", API_KEY);
    await page.click('[data-testid="fetch-models"]');
    await expect.poll(() => page.locator('[data-testid="test-result"]').textContent()).toContain("2");
    await page.click('[data-testid="save-connection"]');
    const card = page.locator('[data-testid="connection-card"]', { hasText: "Fake OpenAI" });
    await card.waitFor();
    await expect.poll(() => card.textContent()).toContain("abcd");
    expect(await page.content()).not.toContain(API_KEY);
    const listed = await page.evaluate(async () => (await fetch("/api/connections")).text());
    expect(listed).not.toContain(API_KEY);
    expect(listed).toContain("fake-slow");
  });

  it("writes a few-shot prompt with a counterexample and runs it against two models side by side", async () => {
    await page.goto(`${appUrl}/prompts`);
    await page.click("text=New prompt");
    await page.fill('[aria-label="Prompt name"]', "ticket-queue");
    await page.fill('[aria-label="Description"]', "Route a support ticket to a queue");
    await page.click("text=Create prompt");
    await page.waitForURL(/\/prompts\/[^/]+$/);
    await page.waitForSelector('[data-testid="messages-editor"] .cm-content');

    await typeTemplate(0, "Route the ticket to one queue: billing, bug or other. Answer with the queue only.");
    await typeTemplate(1, "Ticket: {{ ticket }}");
    await page.click('[data-testid="add-example"]');
    await page.fill('[data-testid="example-0-var-ticket"]', "I was charged twice for March");
    await page.fill('[data-testid="example-0-output"]', "billing");
    await page.click('[data-testid="add-counterexample"]');
    await page.fill('[data-testid="counterexample-0-var-ticket"]', "The export button crashes the app");
    await page.fill('[data-testid="counterexample-0-output"]', "The ticket is about a bug.");
    await page.fill('[data-testid="counterexample-0-reason"]', "A sentence instead of the queue name");
    await page.fill('[data-testid="variable-ticket"]', "Please refund my last order");

    // Live preview: tokens counted for the draft.
    await page.click('[data-testid="tab-preview"]');
    await expect.poll(() => page.locator("body").textContent()).toContain("input tokens");
    await page.click('[data-testid="tab-playground"]');

    const first = page.locator('[data-testid="target-0"]');
    await first.locator('[aria-label="Connection"]').selectOption({ label: "Fake OpenAI" });
    await first.locator('[aria-label="Model"]').selectOption("fake-echo");
    await page.click('[data-testid="add-target"]');
    const second = page.locator('[data-testid="target-1"]');
    await second.locator('[aria-label="Model"]').selectOption("fake-slow");
    await screenshot(page, "prompt-editor");

    await page.keyboard.press("ControlOrMeta+Enter");
    for (const target of [first, second]) {
      await expect.poll(() => target.locator('[data-testid="output"]').innerText(), { timeout: 20_000 }).toBe("billing");
      await expect.poll(() => target.locator('[data-testid="metric-latency"]').innerText()).not.toBe("—");
      await expect.poll(() => target.locator('[data-testid="metric-ttft"]').innerText()).not.toBe("—");
      await expect.poll(() => target.locator('[data-testid="metric-in"]').innerText()).not.toBe("—");
      await expect.poll(() => target.locator('[data-testid="metric-out"]').innerText()).toBe("1");
      await expect.poll(() => target.locator('[data-testid="metric-finish"]').innerText()).toBe("stop");
    }
    await screenshot(page, "playground");

    // What reached the provider: the example as chat turns, the counterexample with its reason, the key as bearer.
    const chats = fake.requests.filter((request) => request.path.endsWith("/chat/completions"));
    expect(chats).toHaveLength(2);
    const body = chats[0]!.body as { messages: { role: string; content: string }[]; stream: boolean };
    expect(body.stream).toBe(true);
    const text = JSON.stringify(body.messages);
    expect(text).toContain("I was charged twice for March");
    expect(text).toContain("A sentence instead of the queue name");
    expect(body.messages.at(-1)?.content).toContain("Please refund my last order");
    expect(chats[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);

    // Saving makes version 2; the history lists both calls.
    await page.fill('[data-testid="commit-message"]', "Few-shot with a counterexample");
    await page.click('[data-testid="save-version"]');
    await page.click('[data-testid="tab-versions"]');
    await expect.poll(() => page.locator('[data-testid="version-row"]').count()).toBe(2);
    await page.click('[data-testid="tab-history"]');
    await expect.poll(() => page.locator('[data-testid="call-row"]').count()).toBe(2);
    await page.selectOption('[aria-label="Filter by model"]', "fake-slow");
    await expect.poll(() => page.locator('[data-testid="call-row"]').count()).toBe(1);
    await page.locator('[data-testid="call-row"]').first().click();
    await expect.poll(() => page.locator('[data-testid="call-detail"]').textContent()).toContain("Please refund my last order");
    await screenshot(page, "history");
  });

  it("shows a provider's error in its own words", async () => {
    fake.setBehavior({ failure: "rate_limit" }, "fake-slow");
    await page.click('[data-testid="tab-playground"]');
    await page.keyboard.press("ControlOrMeta+Enter");
    const error = page.locator('[data-testid="target-1"] [data-testid="provider-error"]');
    await expect.poll(() => error.textContent(), { timeout: 30_000 }).toContain("Rate limited");
    await expect.poll(() => error.textContent()).toContain("429");
    fake.resetBehavior();
  });

  it("a link to a prompt that does not exist says so inside the app, with ways back", async () => {
    const response = await page.goto(`${appUrl}/prompts/no-such-prompt`);
    expect(response?.status()).toBe(404);
    await expect.poll(() => page.locator('[data-testid="page-not-found"]').textContent()).toContain("Not found in this workspace");
    expect(await page.locator('[data-testid="page-not-found"] a').allTextContents()).toEqual(["Prompts", "Suites", "Runs"]);
    await screenshot(page, "not-found");
  });
});
