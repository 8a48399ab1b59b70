import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

// Browser tests drive Debian's Chromium (no Playwright browser download here) against the app started by
// app-setup.ts. Every e2e file shares one app and one database, so the owner account is created once and later
// files sign in with the same credentials.

export const OWNER = {
  name: "Ada Owner",
  email: "owner@assay.test",
  password: "correct horse battery",
  workspaceName: "Acme Research",
};

export const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Creates the owner through the API when the database has no user yet; otherwise does nothing. */
export async function ensureOwner(appUrl: string): Promise<void> {
  const response = await fetch(`${appUrl}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  });
  if (response.status !== 201 && response.status !== 409) {
    throw new Error(`setup failed: ${response.status} ${await response.text()}`);
  }
}

/** A browser context signed in as the owner (created first when needed). */
export async function signedInContext(browser: Browser, appUrl: string): Promise<BrowserContext> {
  await ensureOwner(appUrl);
  const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
  const response = await context.request.post(`${appUrl}/api/auth/sign-in/email`, {
    data: { email: OWNER.email, password: OWNER.password },
    headers: { origin: appUrl },
  });
  if (!response.ok()) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
  return context;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
