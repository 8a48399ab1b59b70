import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureOwner, launchBrowser, OWNER, signedInContext } from "../support/browser.ts";
import { freePort } from "../support/app-setup.ts";
import { isolatedDatabase } from "../support/isolated-database.ts";

// Issue #9, "First start on a network": security headers with a nonce CSP on every answer, cross-site and non-JSON
// API writes refused, ?next= kept on this app, the sign-in limit on the login form, and — on a second app started
// with --host 0.0.0.0 — the one-time setup token printed in the console.

const appUrl = inject("appUrl");
const root = path.resolve(import.meta.dirname, "../..");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

function nonceOf(policy: string | null): string {
  const nonce = policy?.match(/'nonce-([^']+)'/)?.[1];
  if (!nonce) throw new Error(`no nonce in the policy: ${policy}`);
  return nonce;
}

function expectSecurityHeaders(headers: Headers, where: string): void {
  const policy = headers.get("content-security-policy") ?? "";
  for (const directive of ["default-src 'self'", "'strict-dynamic'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"]) {
    expect(policy, where).toContain(directive);
  }
  expect(policy, where).not.toContain("unsafe-eval");
  expect(headers.get("x-content-type-options"), where).toBe("nosniff");
  expect(headers.get("referrer-policy"), where).toBe("strict-origin-when-cross-origin");
  expect(headers.get("x-frame-options"), where).toBe("DENY");
}

/** Every CSP violation and page error a page reports while `visit` runs. */
async function violationsDuring(context: BrowserContext, visit: (page: Page) => Promise<void>): Promise<string[]> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (/content security policy|refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Refused to run (Content Security Policy): ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await visit(page);
  await page.close();
  return problems;
}

describe("security headers", () => {
  it("puts a nonce CSP, nosniff, Referrer-Policy and X-Frame-Options on pages, and the nonce on every script tag", async () => {
    const response = await fetch(`${appUrl}/login`);
    expect(response.status).toBe(200);
    expectSecurityHeaders(response.headers, "/login");
    const nonce = nonceOf(response.headers.get("content-security-policy"));
    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
    // a fresh nonce per request
    expect(nonceOf((await fetch(`${appUrl}/login`)).headers.get("content-security-policy"))).not.toBe(nonce);
  });

  it("puts the same headers on API answers, errors and the unknown-page 404", async () => {
    expectSecurityHeaders((await fetch(`${appUrl}/api/health`)).headers, "/api/health");
    const unauthorized = await fetch(`${appUrl}/api/prompts`);
    expect(unauthorized.status).toBe(401);
    expectSecurityHeaders(unauthorized.headers, "/api/prompts 401");
    const missing = await fetch(`${appUrl}/no-such-page`);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing.headers, "404");
  });

  it("shows the prompt studio and the other screens without a single CSP violation or page error", async () => {
    const context = await signedInContext(browser, appUrl);
    const problems = await violationsDuring(context, async (page) => {
      await page.goto(`${appUrl}/prompts`);
      await page.locator('[data-testid="prompt-row"] a').first().click();
      await page.waitForURL(/\/prompts\/[^/]+$/);
      await page.waitForSelector('[data-testid="messages-editor"] .cm-content');
      // switching tabs runs client code: the page hydrated
      await page.click('[data-testid="tab-preview"]');
      await expect.poll(() => page.locator("body").textContent()).toContain("input tokens");
      for (const screen of ["/suites", "/runs", "/runs/new", "/compare", "/connections", "/models", "/reviews", "/activity", "/inbox", "/settings", "/settings/members", "/settings/share-links"]) {
        // the screens added since workspaces are in URLs have no root path of their own: /w/-/ is the current one
        const response = await page.goto(`${appUrl}/w/-${screen}`);
        expect(response?.status(), screen).toBe(200);
        // Not "networkidle": the inbox bell keeps its live stream open on every page. Hydrated means the bell has
        // read its first count from that stream.
        await page.locator('[data-testid="inbox-bell"]').waitFor();
        await page.waitForLoadState("load");
      }
    });
    await context.close();
    expect(problems).toEqual([]);
  });
  it("enforces the policy: markup injected into a page cannot run its inline handler, and the refusal is reported", async () => {
    await ensureOwner(appUrl);
    const context = await browser.newContext();
    const problems = await violationsDuring(context, async (page) => {
      await page.goto(`${appUrl}/login`);
      await page.locator('[data-testid="login-form"]').waitFor();
      const ran = await page.evaluate(async () => {
        // what an HTML injection would write; the image fails to load, so its handler would run without the CSP
        const holder = document.createElement("div");
        holder.innerHTML = '<img src="/no-such-image.png" onerror="window.injectedScriptRan = true">';
        document.body.append(holder);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return (window as unknown as { injectedScriptRan?: boolean }).injectedScriptRan === true;
      });
      expect(ran).toBe(false);
    });
    await context.close();
    expect(problems.some((problem) => problem.includes("script-src"))).toBe(true);
  });
});

describe("cross-site requests", () => {
  it("refuses a POST from another origin with 403 in the API's error shape, sign-in and the streamed import included", async () => {
    for (const route of ["/api/prompts", "/api/auth/sign-in/email", "/api/suites/no-such-id/import?format=csv", "/api/setup"]) {
      const response = await fetch(`${appUrl}${route}`, {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "application/json" },
        body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
      });
      expect(response.status, route).toBe(403);
      expect(await response.json(), route).toMatchObject({ error: { code: "forbidden", subject: "origin", details: [] } });
      expectSecurityHeaders(response.headers, route);
    }
  });

  it("refuses a write the browser marks cross-site even without an Origin header", async () => {
    const response = await fetch(`${appUrl}/api/prompts`, {
      method: "POST",
      headers: { "sec-fetch-site": "cross-site", "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(403);
  });

  it("answers a text/plain POST to a JSON route with 415, even signed in from the app's own origin", async () => {
    const context = await signedInContext(browser, appUrl);
    const response = await context.request.post(`${appUrl}/api/prompts`, {
      headers: { origin: appUrl, "content-type": "text/plain" },
      data: JSON.stringify({ name: "smuggled" }),
    });
    expect(response.status()).toBe(415);
    expect(await response.json()).toEqual({
      error: {
        code: "unsupported_media_type",
        subject: "content-type",
        message: "This endpoint takes Content-Type: application/json, not text/plain.",
        details: [],
      },
    });
    await context.close();
  });
});

describe("login", () => {
  async function signInThroughForm(page: Page, next: string): Promise<void> {
    await page.goto(`${appUrl}/login?next=${encodeURIComponent(next)}`);
    await page.fill("#email", OWNER.email);
    await page.fill("#password", OWNER.password);
    await page.click('[data-testid="login-submit"]');
  }

  it("follows ?next= to a path of the app, and ignores //evil.com", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signInThroughForm(page, "/suites");
    await page.waitForURL(new RegExp(`^${appUrl}/w/[^/]+/suites$`));
    await context.clearCookies();
    await signInThroughForm(page, "//evil.com/steal");
    await page.waitForURL(new RegExp(`^${appUrl}/w/[^/]+/prompts$`));
    await context.close();
  });

  it("shows 'Too many sign-in attempts; try again in N s.' after five wrong passwords for an account", async () => {
    const email = "nobody-e2e@assay.test";
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await fetch(`${appUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "wrong password" }),
      });
      expect(response.status, `attempt ${attempt}`).toBe(401);
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appUrl}/login`);
    await page.fill("#email", email);
    await page.fill("#password", "wrong password");
    await page.click('[data-testid="login-submit"]');
    await expect.poll(() => page.locator('[data-testid="login-error"]').textContent()).toMatch(/^Too many sign-in attempts; try again in \d+ s\.$/);
    await context.close();
  });
});

describe("first start on a network", () => {
  let app: ChildProcess | undefined;
  let output = "";

  afterAll(async () => {
    if (!app || app.exitCode !== null) return;
    const exited = new Promise((resolve) => app!.once("exit", resolve));
    app.kill("SIGTERM");
    await exited;
  });

  it("listens beyond loopback only when told, prints a one-time setup link, and setup needs its token", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "assay-e2e-network-"));
    const port = await freePort();
    app = spawn(process.execPath, [path.join(root, "bin/assay.js"), "start", "--host", "0.0.0.0", "--port", String(port), "--no-model-server"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: await isolatedDatabase("network"),
        ASSAY_HOME: home,
        ASSAY_MODELS_DIR: path.join(home, "models"),
        ASSAY_WORKER: "off",
        NODE_ENV: "production",
      },
    });
    app.stdout?.on("data", (chunk) => (output += chunk));
    app.stderr?.on("data", (chunk) => (output += chunk));
    await expect.poll(() => output, { timeout: 120_000 }).toMatch(/\/setup\?token=[A-Za-z0-9_-]{43}\n/);
    expect(output).toContain("(listening on 0.0.0.0)");
    const token = output.match(/\/setup\?token=([A-Za-z0-9_-]{43})/)![1]!;
    const url = `http://127.0.0.1:${port}`;

    const withoutToken = await fetch(`${url}/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...OWNER }),
    });
    expect(withoutToken.status).toBe(403);
    expect(((await withoutToken.json()) as { error: { message: string } }).error.message).toContain("one-time setup token");

    // the printed link fills the token in; the form sends it unseen
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/setup?token=${token}`);
    expect(await page.locator("#token").count()).toBe(0);
    await page.fill("#name", OWNER.name);
    await page.fill("#email", OWNER.email);
    await page.fill("#password", OWNER.password);
    await page.fill("#workspaceName", OWNER.workspaceName);
    await page.click('[data-testid="setup-submit"]');
    await page.waitForURL(new RegExp(`^${url}/w/[^/]+/prompts$`));
    await context.close();

    // used once
    const again = await fetch(`${url}/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...OWNER, email: "second@assay.test", token }),
    });
    expect(again.status).toBe(409);
  });
});
