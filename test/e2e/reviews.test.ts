import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureOwner, launchBrowser, OWNER, screenshot } from "../support/browser.ts";
import { contextWithCookie, createUser, signIn } from "../support/people.ts";
import { ownerWorkspace, seedComparison } from "./compare-seed.ts";

// Issue #10 "Reviews: sign-off before release", in the browser with two people: an editor requests a review of v2
// with a comparison as evidence; the owner finds "Move label here" disabled for production with the reason, opens
// the review, sees the comparison's verdicts, approves; production then moves and the Audit tab shows it.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const appUrl = inject("appUrl");

const EDITOR = { name: "Edda Editor", email: "edda.reviews@assay.test" };
const PROMPT = "triage-reviewed";

let browser: Browser;
let owner: BrowserContext;
let editor: BrowserContext;
let ownerCookie: string;
let slug: string;
let workspaceId: string;
let promptId: string;
let v2Id: string;

const content = (text: string) => ({
  messages: [{ role: "system" as const, content: text }, { role: "user" as const, content: "{{ ticket }}" }],
  examples: [],
  counterexamples: [],
  exampleMode: "chat" as const,
  params: {},
  commitMessage: text,
});

beforeAll(async () => {
  await ensureOwner(appUrl);
  ({ workspaceId } = await ownerWorkspace(db, OWNER.email));
  slug = (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).slug;
  const editorId = await createUser(db, EDITOR);
  await db.membership.create({ data: { workspaceId, userId: editorId, role: "editor" } });
  await db.prompt.deleteMany({ where: { workspaceId, name: PROMPT } });
  const prompt = await prompts.createPrompt(workspaceId, editorId, { name: PROMPT, version: content("Route the ticket to one team.") });
  promptId = prompt.id;
  v2Id = (await prompts.createVersion(workspaceId, promptId, editorId, content("Route the ticket to one team; refunds go to billing."))).id;
  // v1 against v2 on 200 tickets, as the editor's comparison
  const seeded = await seedComparison(db, {
    workspaceId,
    name: "triage v1 vs v2",
    cases: 200,
    variants: [
      { label: "v1", quality: 0.7, latency: 900, inputTokens: 300, examples: 0, counterexamples: 0 },
      { label: "v2", quality: 0.86, latency: 950, inputTokens: 320, examples: 0, counterexamples: 0 },
    ],
  });
  await db.variant.update({ where: { id: seeded.variantIds[0] }, data: { versionId: prompt.latest.id } });
  await db.variant.update({ where: { id: seeded.variantIds[1] }, data: { versionId: v2Id } });
  ownerCookie = await signIn(appUrl, OWNER.email, OWNER.password);
  const editorCookie = await signIn(appUrl, EDITOR.email);
  browser = await launchBrowser();
  owner = await contextWithCookie(browser, appUrl, ownerCookie);
  editor = await contextWithCookie(browser, appUrl, editorCookie);
});

afterAll(async () => {
  await owner?.close();
  await editor?.close();
  await browser?.close();
});

async function versionsTab(page: Page): Promise<void> {
  await page.goto(`/w/${slug}/prompts/${promptId}`);
  await page.locator('[data-testid="tab-versions"]').click();
  await page.locator('[data-testid="version-approvals"]').first().waitFor();
}

const v2Row = (page: Page) => page.locator('[data-testid="version-row"]', { hasText: "refunds go to billing" });

describe("reviews and the release gate in the browser", () => {
  it("lets the editor request a review of v2 with the comparison as evidence", async () => {
    const page = await editor.newPage();
    await versionsTab(page);
    await v2Row(page).locator('[data-testid="request-review"]').click();
    const form = page.locator('[data-testid="request-review-form"]');
    await form.locator(`[data-testid="reviewer-${OWNER.email}"]`).check();
    expect(await form.locator('[data-testid="review-evidence"] option:checked').textContent()).toBe("Comparison: v1 (v1) vs v2 (v2) — triage v1 vs v2");
    await form.locator('[data-testid="review-description"]').fill("Refunds now go to billing; the comparison shows the pass rate going up.");
    await screenshot(page, "reviews-request-form");
    await form.locator('[data-testid="send-review-request"]').click();
    await v2Row(page).locator('[data-testid="review-state"]', { hasText: "review open" }).waitFor();
    await page.close();
  });

  it("shows the owner production's move disabled with the reason, and the API answers 409 with it", async () => {
    const reason = `production needs 1 approval of ${PROMPT} v2 from someone other than its author; it has 0.`;
    const page = await owner.newPage();
    await versionsTab(page);
    await v2Row(page).locator('[data-testid="label-button"]').click();
    const move = v2Row(page).locator('[data-testid="move-label"]');
    expect(await move.isDisabled()).toBe(true);
    expect(await move.getAttribute("title")).toBe(reason);
    expect(await v2Row(page).locator('[data-testid="move-blocked-reason"]').textContent()).toBe(reason);
    await screenshot(page, "reviews-move-disabled");
    const response = await fetch(`${appUrl}/api/prompts/${promptId}/labels/production`, {
      method: "PUT",
      headers: { cookie: ownerCookie, origin: appUrl, "content-type": "application/json", "x-assay-workspace": slug },
      body: JSON.stringify({ versionId: v2Id }),
    });
    expect(response.status).toBe(409);
    const body = (await response.json()) as { error: { message: string; details: unknown[] } };
    expect(body.error.message).toBe(reason);
    expect(body.error.details).toEqual([{ path: "approvals", message: reason, label: "production", required: 1, have: 0, missing: 1 }]);
    await page.close();
  });

  it("lets the owner open the review, read the comparison's verdicts, and request changes with a comment", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/reviews`);
    await page.locator('[data-testid="review-row"]', { hasText: PROMPT }).first().waitFor();
    await screenshot(page, "reviews-list");
    await page.locator('[data-testid="review-row"]', { hasText: PROMPT }).first().getByRole("link").first().click();
    await page.locator('[data-testid="review-evidence"] [data-testid="verdicts"]').waitFor();
    expect(await page.locator('[data-testid="open-comparison"]').getAttribute("href")).toMatch(new RegExp(`^/w/${slug}/compare\\?variants=`));
    expect(await page.locator('[data-testid="reviewer"]').textContent()).toContain("awaiting");
    await screenshot(page, "reviews-review-page");
    expect(await page.locator('[data-testid="request-changes"]').isDisabled()).toBe(true);
    await page.locator('[data-testid="decision-comment"]').fill("Damaged-item refunds belong to returns, not billing.");
    await page.locator('[data-testid="request-changes"]').click();
    await page.locator('[data-testid="decision"]', { hasText: "Damaged-item refunds belong to returns" }).waitFor();
    expect(await page.locator('[data-testid="review-state"]').first().textContent()).toBe("changes requested");
    await page.close();
  });

  it("lets the editor save v3 and re-request the review on it; v2's decision stays in the history", async () => {
    const editorId = (await db.user.findUniqueOrThrow({ where: { email: EDITOR.email } })).id;
    const v3 = await prompts.createVersion(workspaceId, promptId, editorId, content("Route the ticket; refunds to billing, damaged items to returns."));
    expect(v3.number).toBe(3);
    const page = await editor.newPage();
    const reviewId = (await db.review.findFirstOrThrow({ where: { promptId } })).id;
    await page.goto(`/w/${slug}/reviews/${reviewId}`);
    await page.locator('[data-testid="author-actions"]').waitFor();
    expect(await page.locator('[data-testid="decision-form"]').count()).toBe(0);
    expect(await page.locator('[data-testid="rerequest-version"] option:checked').textContent()).toBe("v3 — Route the ticket; refunds to billing, damaged items to returns.");
    await page.locator('[data-testid="rerequest"]').click();
    await page.locator('[data-testid="review-version"]', { hasText: `${PROMPT} v3` }).waitFor();
    expect(await page.locator('[data-testid="review-state"]').first().textContent()).toBe("review open");
    expect(await page.locator('[data-testid="decision"]').textContent()).toContain("on v2 (an earlier version)");
    await screenshot(page, "reviews-rerequested");
    await page.close();
  });

  it("lets the owner approve v3", async () => {
    const page = await owner.newPage();
    const reviewId = (await db.review.findFirstOrThrow({ where: { promptId } })).id;
    await page.goto(`/w/${slug}/reviews/${reviewId}`);
    await page.locator('[data-testid="decision-comment"]').fill("Returns routing looks right.");
    await page.locator('[data-testid="approve"]').click();
    await page.locator('[data-testid="decision"]', { hasText: "Returns routing looks right." }).waitFor();
    expect(await page.locator('[data-testid="review-state"]').first().textContent()).toBe("approved");
    expect(await page.locator('[data-testid="review-gate"]').textContent()).toContain("1/1 approval");
    expect(await page.locator('[data-testid="my-verdict"]').textContent()).toBe("You approved v3. A new decision replaces it.");
    await screenshot(page, "reviews-approved");
    await page.close();
  });

  it("then moves production to v3, and the Audit tab shows the move and every decision", async () => {
    const page = await owner.newPage();
    await versionsTab(page);
    const v3Row = page.locator('[data-testid="version-row"]', { hasText: "damaged items to returns" });
    // v2's changes-requested left it without approval: production still cannot go there
    await v2Row(page).locator('[data-testid="label-button"]').click();
    expect(await v2Row(page).locator('[data-testid="move-label"]').isDisabled()).toBe(true);
    await v2Row(page).getByRole("button", { name: "Cancel" }).click();
    await v3Row.locator('[data-testid="label-button"]').click();
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="move-label"]')?.disabled);
    await v3Row.locator('[data-testid="move-label"]').click();
    await v3Row.locator(".badge", { hasText: "production" }).waitFor();
    await page.locator('[data-testid="tab-audit"]').click();
    await page.locator('[data-testid="audit-event"]').first().waitFor();
    const lines = (await page.locator('[data-testid="audit-event"]').allTextContents()).map((line) => line.replace(/\d{2} \w{3}, \d{2}:\d{2}/, "<time>"));
    expect(lines).toEqual([
      `${OWNER.name} set production → v3<time>Approved in this review →`,
      `${OWNER.name} approved v3<time>Open review →`,
      `${EDITOR.name} re-requested the review: v2 → v3<time>Open review →`,
      `${OWNER.name} requested changes to v2<time>Open review →`,
      `${EDITOR.name} requested a review of v2<time>Open review →`,
    ]);
    await screenshot(page, "reviews-audit-timeline");
    await page.close();
  });
});
