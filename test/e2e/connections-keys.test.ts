import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, screenshot, signedInContext } from "../support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// Issue #9: a stored key is only sent to the origin it was saved for. The form says so as soon as the base URL moves
// to another origin, refuses to test with the stored key (without calling anything), and saving removes the key
// with a visible notice.

const HOME_KEY = "sk-e2e-home-key-0000-wxyz";
const NAME = "Keys stay home";
let browser: Browser;
let page: Page;
let home: FakeOpenAI;
let foreign: FakeOpenAI;
const appUrl = inject("appUrl");

beforeAll(async () => {
  home = await startFakeOpenAI({ apiKey: HOME_KEY, models: ["home-model"] });
  foreign = await startFakeOpenAI({ models: ["foreign-model"] });
  browser = await launchBrowser();
  page = await (await signedInContext(browser, appUrl)).newPage();
});

afterAll(async () => {
  await browser?.close();
  await home?.close();
  await foreign?.close();
});

describe("connection form: the stored key stays with its origin", () => {
  it("editing the base URL to another origin asks for the key again before testing, and saving clears it visibly", async () => {
    await page.goto(`${appUrl}/connections`);
    const created = await page.evaluate(
      async ({ name, baseUrl, apiKey }) => {
        const response = await fetch("/api/connections", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name, baseUrl, apiKey }),
        });
        return response.status;
      },
      { name: NAME, baseUrl: home.url, apiKey: HOME_KEY },
    );
    expect(created).toBe(201);
    await page.reload();
    const card = page.locator('[data-testid="connection-card"]', { hasText: NAME });
    await card.getByRole("button", { name: "Edit" }).click();
    const form = page.locator('[data-testid="connection-form"]');
    await form.waitFor();

    await page.fill("#connection-url", home.url.replace(/\/v1$/, "/v2"));
    expect(await page.locator('[data-testid="key-origin-warning"]').count()).toBe(0);

    await page.fill("#connection-url", foreign.url);
    const warning = page.locator('[data-testid="key-origin-warning"]');
    await warning.waitFor();
    expect(await warning.innerText()).toContain(`saved for http://127.0.0.1:${home.port} and is only ever sent there`);

    await page.click('[data-testid="test-connection"]');
    const alert = form.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toBe(
      `This URL's origin differs from the one the key was saved for (http://127.0.0.1:${home.port} → http://127.0.0.1:${foreign.port}): type the key again to test it.`,
    );
    expect(foreign.requests).toHaveLength(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("connection-key");
    await screenshot(page, "connection-form-origin-changed");

    await page.click('[data-testid="save-connection"]');
    const notice = card.locator('[data-testid="connection-notice"]');
    await notice.waitFor();
    expect(await notice.innerText()).toBe(
      `The stored API key was removed: it was saved for http://127.0.0.1:${home.port}, and the base URL now points to ` +
        `http://127.0.0.1:${foreign.port}. Type the key again to use this connection.`,
    );
    expect(await card.innerText()).toContain("Key: none");
    await screenshot(page, "connection-key-cleared");

    await card.locator('[data-testid="card-test"]').click();
    await card.locator('[data-testid="test-result"]').waitFor();
    expect(foreign.requests.length).toBeGreaterThan(0);
    expect(foreign.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
  });
});
