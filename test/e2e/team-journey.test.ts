import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { ownerWorkspace } from "./compare-seed.ts";

// Issue #10's journey, with three people in three browser contexts: the owner invites an editor and a viewer; the
// editor saves v2 of a prompt, compares it with v1 and requests the owner's review; the owner comments on one case
// mentioning the editor (whose bell lights up without a reload) and requests changes; the editor saves v3 and
// re-requests; the owner approves and moves production to v3, which the audit log shows; the viewer reads it all,
// comments, and finds no run button; a share link opened without cookies shows the comparison read-only, then a 404
// once revoked. Each step goes through the screens; only the run's start goes through the API the new-run form calls.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const appUrl = inject("appUrl");

const EDITOR = { name: "Eli Editor", email: "eli@journey.test", password: "eli's journey password" };
const VIEWER = { name: "Vera Viewer", email: "vera@journey.test", password: "vera's journey password" };
const PROMPT = "journey-triage";
const SUITE = "journey tickets";
const TICKETS = ["I was charged twice for March", "The export button crashes the app", "Please refund my last order", "How do I change my email?"];

let browser: Browser;
let owner: BrowserContext;
let editor: BrowserContext;
let viewer: BrowserContext;
let editorPage: Page;
let fake: FakeOpenAI;
let slug: string;
let workspaceId: string;
let promptId: string;
let suiteId: string;
let connectionId: string;
let comparisonUrl: string;
let reviewUrl: string;
let shareUrl: string;

const inWorkspace = (path: string) => `/w/${slug}${path}`;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  browser = await launchBrowser();
  owner = await signedInContext(browser, appUrl);
  ({ workspaceId } = await ownerWorkspace(db, OWNER.email));
  slug = (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).slug;
  for (const person of [EDITOR, VIEWER]) {
    await db.user.deleteMany({ where: { email: person.email } });
    await db.invitation.deleteMany({ where: { email: person.email } });
  }
  await db.prompt.deleteMany({ where: { workspaceId, name: PROMPT } });
  await db.suite.deleteMany({ where: { workspaceId, name: SUITE } });
  await db.connection.deleteMany({ where: { workspaceId, name: "Journey fake" } });
  const ownerId = (await db.user.findUniqueOrThrow({ where: { email: OWNER.email } })).id;
  const prompt = await prompts.createPrompt(workspaceId, ownerId, {
    name: PROMPT,
    version: { messages: [{ role: "system", content: "Route the ticket: billing, bug or other." }, { role: "user", content: "{{ ticket }}" }], commitMessage: "first cut" },
  });
  promptId = prompt.id;
  // Through the app's API: the key is sealed under the app's master key, not this test process's.
  const connection = await owner.request.post(`${appUrl}/api/connections`, {
    headers: { origin: appUrl, "x-assay-workspace": slug },
    data: { name: "Journey fake", baseUrl: fake.url, apiKey: "sk-journey-0123456789abcdef", models: [{ name: "fake-echo" }] },
  });
  if (!connection.ok()) throw new Error(`creating the connection failed: ${connection.status()} ${await connection.text()}`);
  connectionId = ((await connection.json()) as { id: string }).id;
  const suite = await db.suite.create({
    data: { workspaceId, name: SUITE, cases: { create: TICKETS.map((ticket, position) => ({ position, key: `ticket-${position + 1}`, variables: { ticket }, tags: [] })) } },
  });
  suiteId = suite.id;
});

afterAll(async () => {
  for (const context of [owner, editor, viewer]) await context?.close();
  await browser?.close();
  await fake?.close();
});

async function acceptInvitation(link: string, person: { name: string; password: string }): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(link);
  await page.fill('[data-testid="invitation-name"]', person.name);
  await page.fill('[data-testid="invitation-password"]', person.password);
  await page.click('[data-testid="invitation-submit"]');
  await page.waitForURL(`**/w/${slug}/prompts`);
  await page.close();
  return context;
}

async function typeTemplate(page: Page, index: number, text: string) {
  const editorBox = page.locator('[data-testid="messages-editor"] .cm-content').nth(index);
  await editorBox.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

async function saveVersion(page: Page, system: string, message: string, expectedCount: number) {
  await page.goto(inWorkspace(`/prompts/${promptId}`));
  await page.waitForSelector('[data-testid="messages-editor"] .cm-content');
  await typeTemplate(page, 0, system);
  await page.fill('[data-testid="commit-message"]', message);
  await page.click('[data-testid="save-version"]');
  await page.click('[data-testid="tab-versions"]');
  await expect.poll(() => page.locator('[data-testid="version-row"]').count()).toBe(expectedCount);
}

async function versionId(number: number): Promise<string> {
  return (await db.promptVersion.findFirstOrThrow({ where: { promptId, number } })).id;
}

describe("a team signs a prompt off before release", () => {
  it("the owner invites an editor and a viewer, who each join from their own browser", async () => {
    const page = await owner.newPage();
    await page.goto(inWorkspace("/settings/members"));
    const links: string[] = [];
    for (const [person, role] of [[EDITOR, "editor"], [VIEWER, "viewer"]] as const) {
      await page.fill('[data-testid="invite-email"]', person.email);
      await page.selectOption('[data-testid="invite-role"]', role);
      await page.click('[data-testid="invite-submit"]');
      await page.locator(`[data-testid="invitation-row"][data-email="${person.email}"]`).waitFor();
      links.push(new URL(await page.locator('[data-testid="invite-link"]').inputValue()).pathname);
    }
    await page.close();
    editor = await acceptInvitation(links[0]!, EDITOR);
    viewer = await acceptInvitation(links[1]!, VIEWER);
    const roles = await db.membership.findMany({ where: { workspaceId, user: { email: { in: [EDITOR.email, VIEWER.email] } } }, select: { role: true, user: { select: { email: true } } } });
    expect(roles.map((row) => `${row.user.email}:${row.role}`).sort()).toEqual(["eli@journey.test:editor", "vera@journey.test:viewer"]);
  });

  it("the editor saves v2, compares it with v1 and requests the owner's review", { timeout: 120_000 }, async () => {
    editorPage = await editor.newPage();
    await saveVersion(editorPage, "Route the ticket: billing, bug or other. Refunds are billing.", "refunds are billing", 2);
    const started = await editorPage.evaluate(
      async (body) => {
        const response = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) as { id: string } };
      },
      { suiteId, name: "journey v1 vs v2", variants: [{ versionId: await versionId(1), connectionId, model: "fake-echo" }, { versionId: await versionId(2), connectionId, model: "fake-echo" }] },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    await expect.poll(async () => (await db.run.findUniqueOrThrow({ where: { id: started.body.id } })).status, { timeout: 60_000, interval: 500 }).toBe("completed");
    const variants = await db.variant.findMany({ where: { runId: started.body.id }, orderBy: { position: "asc" }, select: { id: true } });
    comparisonUrl = inWorkspace(`/compare?variants=${variants.map((variant) => variant.id).join(",")}`);

    await editorPage.goto(inWorkspace(`/prompts/${promptId}`));
    await editorPage.click('[data-testid="tab-versions"]');
    const v2 = editorPage.locator('[data-testid="version-row"]', { hasText: "refunds are billing" });
    await v2.locator('[data-testid="request-review"]').click();
    const form = editorPage.locator('[data-testid="request-review-form"]');
    await form.locator(`[data-testid="reviewer-${OWNER.email}"]`).check();
    expect(await form.locator('[data-testid="review-evidence"] option:checked').textContent()).toContain("journey v1 vs v2");
    await form.locator('[data-testid="review-description"]').fill("Refunds now route to billing; see the comparison.");
    await form.locator('[data-testid="send-review-request"]').click();
    await v2.locator('[data-testid="review-state"]', { hasText: "review open" }).waitFor();
    const review = await db.review.findFirstOrThrow({ where: { promptId }, orderBy: { createdAt: "desc" } });
    reviewUrl = inWorkspace(`/reviews/${review.id}`);
    // the editor keeps a page open: the bell must light up there without a reload
    await editorPage.goto(inWorkspace("/runs"));
    expect(await editorPage.locator('[data-testid="inbox-badge"]').count()).toBe(0);
  });

  it("the owner comments on one case mentioning the editor, and requests changes; the editor's bell shows it live", async () => {
    const page = await owner.newPage();
    await page.goto(comparisonUrl);
    await page.locator('[data-testid="case-row"]').first().click();
    const detail = page.locator('[data-testid="case-detail"]');
    await detail.locator('[data-testid="comment-input"]').waitFor();
    await detail.locator('[data-testid="comment-input"]').fill("@eli this refund case still says other — please look.");
    await detail.locator('[data-testid="comment-submit"]').click();
    await detail.locator('[data-testid="comment"]', { hasText: "this refund case still says other" }).waitFor();
    await screenshot(page, "journey-case-comment");

    await expect.poll(() => editorPage.locator('[data-testid="inbox-badge"]').textContent(), { timeout: 15_000 }).toBe("1");

    await page.goto(reviewUrl);
    await page.locator('[data-testid="review-evidence"] [data-testid="verdicts"]').waitFor();
    await page.locator('[data-testid="decision-comment"]').fill("Refunds still go to other on one case.");
    await page.locator('[data-testid="request-changes"]').click();
    await page.locator('[data-testid="decision"]', { hasText: "Refunds still go to other on one case." }).waitFor();
    expect(await page.locator('[data-testid="review-state"]').first().textContent()).toBe("changes requested");
    await page.close();
  });

  it("the editor saves v3 and re-requests the review; the owner approves", async () => {
    await saveVersion(editorPage, "Route the ticket: billing, bug or other. Refunds and charges are billing.", "refunds and charges are billing", 3);
    await editorPage.goto(reviewUrl);
    expect(await editorPage.locator('[data-testid="rerequest-version"] option:checked').textContent()).toBe("v3 — refunds and charges are billing");
    await editorPage.click('[data-testid="rerequest"]');
    await expect.poll(() => editorPage.locator('[data-testid="review-state"]').first().textContent()).toBe("review open");

    const page = await owner.newPage();
    await page.goto(reviewUrl);
    await page.locator('[data-testid="decision-comment"]').fill("Good now.");
    await page.locator('[data-testid="approve"]').click();
    await page.locator('[data-testid="decision"]', { hasText: "Good now." }).waitFor();
    expect(await page.locator('[data-testid="review-state"]').first().textContent()).toBe("approved");
    await page.close();
  });

  it("the owner moves production to v3, and the audit log shows the move and the decisions", async () => {
    const page = await owner.newPage();
    await page.goto(inWorkspace(`/prompts/${promptId}`));
    await page.click('[data-testid="tab-versions"]');
    const v3 = page.locator('[data-testid="version-row"]', { hasText: "refunds and charges are billing" });
    await v3.locator('[data-testid="label-button"]').click();
    await v3.locator('[data-testid="label-name"]').fill("production");
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="move-label"]')?.disabled);
    await v3.locator('[data-testid="move-label"]').click();
    await v3.locator(".badge", { hasText: "production" }).waitFor();
    await page.click('[data-testid="tab-audit"]');
    await page.locator('[data-testid="audit-event"]').first().waitFor();
    const lines = await page.locator('[data-testid="audit-event"]').allTextContents();
    expect(lines[0]).toContain(`${OWNER.name} set production → v3`);
    expect(lines[1]).toContain(`${OWNER.name} approved v3`);
    expect(lines.some((line) => line.includes(`${OWNER.name} requested changes`))).toBe(true);
    expect(lines.some((line) => line.includes(`${EDITOR.name} requested a review of v2`))).toBe(true);
    await screenshot(page, "journey-audit");
    expect((await db.promptLabel.findFirstOrThrow({ where: { promptId, name: "production" } })).versionId).toBe(await versionId(3));
    await page.close();
  });

  it("the viewer reads the prompt, the review and the comparison, comments, and finds no run button", async () => {
    const page = await viewer.newPage();
    await page.goto(inWorkspace(`/prompts/${promptId}`));
    await page.locator('[data-testid="tab-versions"]').waitFor();
    expect(await page.locator('[data-testid="tab-playground"]').count()).toBe(0);
    await page.goto(reviewUrl);
    await page.locator('[data-testid="review-evidence"]').waitFor();
    expect(await page.locator('[data-testid="approve"]').count()).toBe(0);
    await page.goto(inWorkspace("/runs"));
    await page.locator("h1").first().waitFor();
    expect(await page.locator('[data-testid="new-run"]').count()).toBe(0);
    await page.goto(comparisonUrl);
    const thread = page.locator('[data-testid="comment-thread"]').last();
    await thread.locator('[data-testid="comment-input"]').fill("Read it — thanks for the comparison.");
    await thread.locator('[data-testid="comment-submit"]').click();
    await thread.locator('[data-testid="comment"]', { hasText: "thanks for the comparison" }).waitFor();
    // a viewer may vote in blind reviews, but not call a model: no judge
    expect(await page.locator('[data-testid="open-judge"]').count()).toBe(0);
    await screenshot(page, "journey-viewer-compare");
    await page.close();
  });

  it("a share link opens the comparison read-only without cookies, and 404s once revoked", async () => {
    const page = await owner.newPage();
    await page.goto(comparisonUrl);
    await page.click('[data-testid="share-button"]');
    await page.click('[data-testid="scope-anyone"]');
    await page.click('[data-testid="share-create"]');
    shareUrl = await page.locator('[data-testid="share-url"]').inputValue();
    const stranger = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const shared = await stranger.newPage();
    await shared.goto(shareUrl);
    await shared.locator('[data-testid="verdict-card"]').first().waitFor();
    expect(await shared.locator('[data-testid="sidebar"]').count()).toBe(0);
    expect(await shared.locator('[data-testid="preference-card"], [data-testid="comment-composer"], [data-testid="share-button"]').count()).toBe(0);
    await screenshot(shared, "journey-shared-comparison");

    await page.goto(inWorkspace("/settings/share-links"));
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator('[data-testid="share-link-row"]').first().locator('[data-testid="share-revoke"]').click();
    await expect.poll(async () => (await db.shareLink.findFirstOrThrow({ where: { workspaceId }, orderBy: { createdAt: "desc" } })).revokedAt).not.toBeNull();
    const gone = await shared.goto(shareUrl);
    expect(gone?.status()).toBe(404);
    expect(await shared.locator('[data-testid="share-revoked"]').innerText()).toContain("This link was revoked");
    await stranger.close();
    await page.close();
  });
});
