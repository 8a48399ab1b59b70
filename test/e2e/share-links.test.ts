import type { Browser, BrowserContext, Page, Response as PageResponse } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureOwner, launchBrowser, OWNER, screenshot } from "../support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { contextWithCookie, signIn } from "../support/people.ts";
import { ownerWorkspace, seedComparison, type SeedVariant } from "./compare-seed.ts";

// Issue #10 "Share links": a shared page is the same screen read-only, opened without a session; its HTML and every
// JSON it loads hold no key material and nothing of another workspace (the grep test); a revoked or expired link is a
// 404 that says so; a members-only link asks a visitor to sign in; the owner shares from the compare screen's header
// and sees views on Settings › Share links.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const appUrl = inject("appUrl");

const KEY = "sk-share-grep-KnownSecret-5b1e9d2c-Zq9W";
const VARIANTS: SeedVariant[] = [
  { label: "v1 terse", quality: 0.62, latency: 640, inputTokens: 90, examples: 0, counterexamples: 0 },
  { label: "v2 few-shot", quality: 0.71, latency: 560, inputTokens: 310, examples: 3, counterexamples: 1 },
];
const OTHER = { name: "Zephyr Secret Lab", slug: "zephyr-secret-lab" };

let browser: Browser;
let fake: FakeOpenAI;
let ownerCookie: string;
let owner: BrowserContext;
let slug: string;
let workspaceId: string;
let comparisonId: string;
let runId: string;
let versionId: string;
/** what the shared version pointed at before, restored for the files after this one */
let versionConnectionId: string | null;
let connectionId: string;
/** strings none of the shared pages and their JSON may contain */
const forbidden = new Map<string, string>();

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${appUrl}${path}`, {
    method,
    headers: { cookie: ownerCookie, origin: appUrl, "content-type": "application/json", "x-assay-workspace": slug },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (response.status === 204 ? null : await response.json()) as T };
}

async function share(resource: string, id: string, scope = "anyone"): Promise<{ id: string; url: string; expiresAt: string }> {
  const created = await api<{ id: string; url: string; expiresAt: string }>("POST", "/api/share-links", { resource, id, scope });
  if (created.status !== 201) throw new Error(`sharing failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/** Opens a page in a fresh context (no cookies) and records the document and every JSON response it loads. */
async function capture(context: BrowserContext, path: string, interact: (page: Page) => Promise<void>): Promise<{ page: Page; bodies: { url: string; text: string }[] }> {
  const page = await context.newPage();
  const bodies: { url: string; text: string }[] = [];
  const pending: Promise<void>[] = [];
  page.on("response", (response: PageResponse) => {
    const type = response.headers()["content-type"] ?? "";
    const kind = response.request().resourceType();
    if (kind === "document" || type.includes("json") || type.includes("text/x-component") || type.includes("event-stream")) {
      pending.push(
        response.text().then(
          (text) => void bodies.push({ url: response.url(), text }),
          // A streamed body the page closed before the end (server-sent events) has nothing more to read.
          () => undefined,
        ),
      );
    }
  });
  await page.goto(path);
  await interact(page);
  await Promise.all(pending);
  return { page, bodies };
}

function leaks(bodies: { url: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { url, text } of bodies) {
    for (const [value, what] of forbidden) if (text.includes(value)) found.push(`${what} in ${url}`);
  }
  return found;
}

beforeAll(async () => {
  await ensureOwner(appUrl);
  const workspace = await ownerWorkspace(db, OWNER.email);
  workspaceId = workspace.workspaceId;
  slug = (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).slug;
  await db.workspace.update({ where: { id: workspaceId }, data: { allowPublicLinks: true, shareLinkMaxDays: 90 } });
  ownerCookie = await signIn(appUrl, OWNER.email, OWNER.password);
  fake = await startFakeOpenAI({ apiKey: KEY, models: ["gpt-4o-mini"] });

  // Workspace A's connection, with its key saved through the API as a user saves it.
  await db.connection.deleteMany({ where: { workspaceId, name: "Grep provider" } });
  const connection = await api<{ id: string }>("POST", "/api/connections", { name: "Grep provider", baseUrl: fake.url, apiKey: KEY });
  if (connection.status !== 201) throw new Error(`creating the connection failed: ${connection.status} ${JSON.stringify(connection.body)}`);
  const stored = await db.connection.findUniqueOrThrow({ where: { id: connection.body.id } });
  if (!stored.apiKeyCipher || !stored.apiKeyLast4) throw new Error("the key was not stored");
  forbidden.set(KEY, "A's key");
  forbidden.set(stored.apiKeyCipher, "A's key ciphertext");
  forbidden.set(stored.apiKeyCipher.split(":").at(-1) as string, "A's key ciphertext body");
  forbidden.set(stored.apiKeyLast4, "A's key last 4");
  forbidden.set("assay_gw_", "a gateway key");

  const seeded = await seedComparison(db, { workspaceId, name: "Shared triage run", cases: 300, variants: VARIANTS, seed: 11 });
  await db.variant.updateMany({ where: { id: { in: seeded.variantIds } }, data: { connectionId: connection.body.id } });
  comparisonId = seeded.variantIds.join(",");
  runId = seeded.runId;
  const prompt = await db.prompt.findFirstOrThrow({ where: { workspaceId }, orderBy: { createdAt: "asc" }, include: { versions: { orderBy: { number: "desc" }, take: 1 } } });
  versionId = prompt.versions[0]?.id as string;
  versionConnectionId = prompt.versions[0]?.connectionId ?? null;
  connectionId = connection.body.id;
  await db.promptVersion.update({ where: { id: versionId }, data: { connectionId: connection.body.id } });

  // Workspace B, which the owner also belongs to: nothing of it may show on A's shared pages.
  await db.workspace.deleteMany({ where: { slug: OTHER.slug } });
  const other = await db.workspace.create({ data: { ...OTHER, memberships: { create: { userId: workspace.userId, role: "owner" } } } });
  const otherConnection = await db.connection.create({ data: { workspaceId: other.id, name: "Zephyr provider", baseUrl: "https://zephyr.invalid/v1", apiKeyCipher: "v2:zephyr-cipher", apiKeyLast4: "Xy7Q" } });
  const otherPrompt = await db.prompt.create({
    data: {
      workspaceId: other.id,
      name: "zephyr-only-prompt",
      versions: { create: { number: 1, messages: [{ role: "user", content: "{{ input }}" }], examples: [], counterexamples: [], params: {}, connectionId: otherConnection.id } },
    },
    include: { versions: true },
  });
  const otherRun = await seedComparison(db, { workspaceId: other.id, name: "Zephyr run", cases: 5, variants: VARIANTS, seed: 12 });
  forbidden.set(other.id, "B's workspace id");
  forbidden.set(OTHER.name, "B's name");
  forbidden.set(OTHER.slug, "B's slug");
  forbidden.set(otherConnection.id, "B's connection id");
  forbidden.set("Xy7Q", "B's key last 4");
  forbidden.set(otherPrompt.id, "B's prompt id");
  forbidden.set(otherPrompt.versions[0]?.id as string, "B's version id");
  forbidden.set(otherRun.runId, "B's run id");
  for (const id of otherRun.variantIds) forbidden.set(id, "B's variant id");

  browser = await launchBrowser();
  owner = await contextWithCookie(browser, appUrl, ownerCookie);
});

afterAll(async () => {
  // The e2e files share one database: leave the owner's workspace as the next files expect it.
  if (versionId) await db.promptVersion.update({ where: { id: versionId }, data: { connectionId: versionConnectionId } });
  if (connectionId) await db.connection.deleteMany({ where: { id: connectionId } });
  await db.workspace.deleteMany({ where: { slug: OTHER.slug } });
  await owner?.close();
  await browser?.close();
  await fake?.close();
});

describe("share links", () => {
  it("shares the comparison from the compare header: the link is shown once, with copy", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/compare?variants=${comparisonId}`);
    await page.locator('[data-testid="verdict-card"]').waitFor();
    await page.click('[data-testid="share-button"]');
    const dialog = page.locator('[data-testid="share-dialog"]');
    await dialog.waitFor();
    expect(await page.inputValue('[data-testid="share-days"]')).toBe("14");
    expect(await dialog.innerText()).toContain("at most 90 in this workspace");
    await screenshot(page, "share-dialog");
    await page.click('[data-testid="scope-anyone"]');
    await page.click('[data-testid="share-create"]');
    const url = await page.locator('[data-testid="share-url"]').inputValue();
    expect(url).toMatch(new RegExp(`^${appUrl}/s/[A-Za-z0-9_-]{43}$`));
    expect(await page.locator('[data-testid="share-once"]').innerText()).toContain("you will not see this link again");
    await screenshot(page, "share-dialog-created");
    await page.close();
  });

  it("opens a shared comparison without a session, read-only, and its HTML and JSON hold no key and nothing of workspace B", async () => {
    const link = await share("comparison", comparisonId);
    const visitor = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
    const { page, bodies } = await capture(visitor, link.url, async (opened) => {
      await opened.locator('[data-testid="verdict-card"]').waitFor();
      await opened.locator('[data-testid="case-row"]').first().waitFor();
      await screenshot(opened, "share-comparison");
      // Load more through the token-scoped API: rows further down (outputs), a search, and one case in full.
      const outputs = opened.waitForResponse((response) => response.url().includes("/compare/outputs"));
      await opened.locator('[data-testid="case-scroll"]').evaluate((element) => (element.scrollTop = element.scrollHeight / 2));
      await outputs;
      await opened.fill('[data-testid="case-search"]', "refund");
      await opened.waitForResponse((response) => response.url().includes("/compare/search"));
      await opened.fill('[data-testid="case-search"]', "");
      await opened.locator('[data-testid="case-row"]').first().click();
      await opened.locator('[data-testid="case-detail"]').waitFor();
      await opened.locator('[data-testid="detail-result"]').first().waitFor();
      await screenshot(opened, "share-comparison-case");
      await opened.keyboard.press("Escape");
    });
    const header = await page.locator('[data-testid="shared-header"]').innerText();
    expect(header).toContain(`Shared from ${OWNER.workspaceName}`);
    expect(header).toContain("read-only");
    expect(header).toMatch(/expires \d{1,2} \w{3} \d{4}/);
    expect(await page.locator('[data-testid="sidebar"]').count()).toBe(0);
    expect(await page.locator('[data-testid="preference-card"]').count()).toBe(0);
    const buttons = (await page.locator("button").allInnerTexts()).join(" | ");
    expect(buttons).not.toMatch(/\b(vote|judge|run|review|share|swap)\b/i);
    const urls = bodies.map((body) => new URL(body.url).pathname);
    expect(urls.some((path) => path.startsWith("/api/s/") && path.endsWith("/compare/outputs"))).toBe(true);
    expect(urls.some((path) => path.endsWith("/compare/case"))).toBe(true);
    expect(urls.filter((path) => path.startsWith("/api/") && !path.startsWith("/api/s/"))).toEqual([]);
    expect(leaks(bodies)).toEqual([]);
    await visitor.close();
  });

  it("opens a shared run and a shared version read-only, with no key and nothing of workspace B", async () => {
    const runLink = await share("run", runId);
    const versionLink = await share("version", versionId);
    const visitor = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
    const run = await capture(visitor, runLink.url, async (opened) => {
      await opened.locator('[data-testid="result-row"]').first().waitFor();
      await screenshot(opened, "share-run");
    });
    expect(await run.page.locator('[data-testid="run-title"]').innerText()).toBe("Shared triage run");
    expect(await run.page.locator('[data-testid="cancel-run"], [data-testid="resume-run"], [data-testid="compare-link"]').count()).toBe(0);
    expect(await run.page.getByText("Export").count()).toBe(0);
    expect(run.bodies.some((body) => new URL(body.url).pathname === `/api/s/${runLink.url.slice(3)}/runs/${runId}/results`)).toBe(true);
    expect(leaks(run.bodies)).toEqual([]);

    const version = await capture(visitor, versionLink.url, async (opened) => {
      await opened.locator('[data-testid="shared-version"]').waitFor();
      await screenshot(opened, "share-version");
    });
    expect(await version.page.locator('[data-testid="shared-message"]').count()).toBeGreaterThan(0);
    expect(await version.page.locator("textarea, [contenteditable=true], [data-testid=save-version]").count()).toBe(0);
    expect(await version.page.locator('[data-testid="shared-params"]').innerText()).toContain("Grep provider");
    expect(leaks(version.bodies)).toEqual([]);
    await visitor.close();

    const listed = await api<{ id: string; viewCount: number; lastViewedAt: string | null; state: string }[]>("GET", "/api/share-links");
    expect(listed.body.find((link) => link.id === versionLink.id)).toMatchObject({ viewCount: 1, lastViewedAt: expect.any(String), state: "active" });
  });

  it("after revoking, the link is a 404 page that says it was revoked; an expired one says when it expired", async () => {
    const link = await share("comparison", comparisonId);
    const revoked = await api("DELETE", `/api/share-links/${link.id}`);
    expect(revoked.status).toBe(204);
    const visitor = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
    const page = await visitor.newPage();
    const response = await page.goto(link.url);
    expect(response?.status()).toBe(404);
    expect(await page.locator('[data-testid="share-revoked"]').innerText()).toContain("This link was revoked");
    await screenshot(page, "share-revoked");
    const api404 = await fetch(`${appUrl}/api/s/${link.url.slice(3)}/compare/case?variants=${comparisonId}&key=ticket-00001`);
    expect(api404.status).toBe(404);
    expect(((await api404.json()) as { error: { message: string } }).error.message).toBe("This link was revoked.");

    const old = await share("run", runId);
    await db.shareLink.update({ where: { id: old.id }, data: { expiresAt: new Date("2026-11-30T12:00:00Z") } });
    const expired = await page.goto(old.url);
    expect(expired?.status()).toBe(404);
    expect(await page.locator('[data-testid="share-expired"]').innerText()).toContain("This link expired on 30 Nov 2026");
    await visitor.close();
  });

  it("sends a signed-out visitor of a members-only link to sign in, and back to the link", async () => {
    const link = await share("run", runId, "workspace");
    const visitor = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
    const page = await visitor.newPage();
    await page.goto(link.url);
    const landed = new URL(page.url());
    expect(landed.pathname).toBe("/login");
    expect(landed.searchParams.get("next")).toBe(link.url);
    const results = await fetch(`${appUrl}/api/s/${link.url.slice(3)}/runs/${runId}/results`);
    expect(results.status).toBe(401);
    await visitor.close();
    const member = await owner.newPage();
    await member.goto(link.url);
    await member.locator('[data-testid="result-row"]').first().waitFor();
    await member.close();
  });

  it("lists the links with views and state on Settings › Share links, and revokes from there", async () => {
    const link = await share("version", versionId);
    const page = await owner.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`/w/${slug}/settings/share-links`);
    const table = page.locator('[data-testid="share-links-table"]');
    await table.waitFor();
    await screenshot(page, "share-links-settings");
    const row = page.locator(`[data-testid="share-link-row"]`).first();
    expect(await row.getAttribute("data-state")).toBe("active");
    await row.locator('[data-testid="share-revoke"]').click();
    await expect.poll(() => row.getAttribute("data-state")).toBe("revoked");
    expect((await db.shareLink.findUniqueOrThrow({ where: { id: link.id } })).revokedAt).not.toBeNull();
    await page.close();
  });
});
