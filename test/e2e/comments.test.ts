import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureOwner, launchBrowser, OWNER, screenshot } from "../support/browser.ts";
import { contextWithCookie, createUser, signIn } from "../support/people.ts";
import { ownerWorkspace, seedComparison, type SeededComparison } from "./compare-seed.ts";

// Issue #10 "Comments and mentions", two people in two browsers: the owner comments on one case of a comparison and
// mentions the editor with completion; the editor's bell shows 1 without a reload, and its line opens the comparison
// with that case and that comment in view. Also: a thread on a run and on a prompt version, edit marks "edited".

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const appUrl = inject("appUrl");

const BELLA = { name: "Bella Editor", email: "bella.comments@assay.test" };

let browser: Browser;
let owner: BrowserContext;
let bella: BrowserContext;
let slug: string;
let workspaceId: string;
let seeded: SeededComparison;

beforeAll(async () => {
  await ensureOwner(appUrl);
  ({ workspaceId } = await ownerWorkspace(db, OWNER.email));
  slug = (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).slug;
  const bellaId = await createUser(db, BELLA);
  await db.membership.create({ data: { workspaceId, userId: bellaId, role: "editor" } });
  seeded = await seedComparison(db, {
    workspaceId,
    name: "Refund wording",
    cases: 30,
    variants: [
      { label: "refunds v1", quality: 0.7, latency: 800, inputTokens: 120, examples: 0, counterexamples: 0 },
      { label: "refunds v2", quality: 0.8, latency: 700, inputTokens: 300, examples: 2, counterexamples: 0 },
    ],
  });
  browser = await launchBrowser();
  owner = await contextWithCookie(browser, appUrl, await signIn(appUrl, OWNER.email, OWNER.password));
  bella = await contextWithCookie(browser, appUrl, await signIn(appUrl, BELLA.email));
});

afterAll(async () => {
  await owner?.close();
  await bella?.close();
  await browser?.close();
});

const badge = (page: Page) => page.locator('[data-testid="inbox-badge"]');

describe("comments and the inbox, two people", () => {
  let commentId: string;
  let caseKey: string;
  let bellaPage: Page;

  it("the owner mentions the editor on one case, with completion from the members", async () => {
    bellaPage = await bella.newPage();
    await bellaPage.goto(`/w/${slug}/prompts`);
    await bellaPage.locator('[data-testid="inbox-bell"]').waitFor();
    expect(await badge(bellaPage).count()).toBe(0);

    const page = await owner.newPage();
    await page.goto(`/w/${slug}/compare?variants=${seeded.variantIds.join(",")}`);
    await page.locator('[data-testid="case-row"]').first().click();
    const detail = page.locator('[data-testid="case-detail"]');
    caseKey = ((await detail.locator("h2").textContent()) ?? "").trim();
    const thread = detail.locator('[data-testid="comment-thread"]');
    await thread.waitFor();
    const box = thread.locator('[data-testid="comment-input"]');
    await box.click();
    await box.pressSequentially("The refund wording is off here, @bel");
    const list = page.locator('[data-testid="mention-list"]');
    await expect.poll(() => list.textContent()).toContain("Bella Editor");
    await box.press("Enter");
    await box.pressSequentially("can you **check** it?");
    expect(await box.inputValue()).toBe("The refund wording is off here, @bella.comments can you **check** it?");
    await thread.locator('[data-testid="comment-submit"]').click();
    const posted = thread.locator('[data-testid="comment"]');
    await expect.poll(() => posted.count()).toBe(1);
    expect(await posted.locator(".mention").textContent()).toBe("@bella.comments");
    expect(await posted.locator("strong").textContent()).toBe("check");
    commentId = ((await posted.getAttribute("id")) ?? "").replace("comment-", "");
    await expect.poll(() => page.locator(`[data-testid="case-row"]:has-text("${caseKey}") [data-testid="case-comment-count"]`).textContent()).toContain("1");
    await screenshot(page, "comments-case-thread");
    await page.close();
  });

  it("the editor's bell shows 1 without a reload, and its line lands on the comment", async () => {
    await expect.poll(() => badge(bellaPage).textContent()).toBe("1");
    await bellaPage.locator('[data-testid="inbox-bell"]').click();
    const line = bellaPage.locator('[data-testid="inbox-panel"] [data-testid="inbox-item"]').first();
    expect(await line.textContent()).toContain(`Ada Owner mentioned you on case ${caseKey} of the comparison refunds v1 vs refunds v2`);
    await screenshot(bellaPage, "comments-inbox-panel");
    await line.click();
    await bellaPage.waitForURL((url) => url.hash === `#comment-${commentId}`);
    const url = new URL(bellaPage.url());
    expect(url.pathname).toBe(`/w/${slug}/compare`);
    expect(url.searchParams.get("case")).toBe(caseKey);
    const detail = bellaPage.locator('[data-testid="case-detail"]');
    expect((await detail.locator("h2").textContent())?.trim()).toBe(caseKey);
    const comment = bellaPage.locator(`#comment-${commentId}`);
    await comment.waitFor();
    expect(await comment.textContent()).toContain("The refund wording is off here");
    await expect.poll(() => comment.evaluate((element) => element.className.includes("ring-2"))).toBe(true);
    await expect.poll(() => badge(bellaPage).count()).toBe(0);
    await screenshot(bellaPage, "comments-landed");
  });

  it("the editor answers in the thread, edits it (marked edited), and cannot delete the owner's comment", async () => {
    const thread = bellaPage.locator('[data-testid="case-detail"] [data-testid="comment-thread"]');
    await thread.locator('[data-testid="comment-input"]').fill("Fixed in v3 — see [the diff](https://example.com/diff)");
    await thread.locator('[data-testid="comment-submit"]').click();
    const mine = thread.locator('[data-testid="comment"]').nth(1);
    await mine.waitFor();
    expect(await mine.locator("a[target=_blank]").getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(await thread.locator('[data-testid="comment"]').first().locator('[data-testid="comment-delete"]').count()).toBe(0);
    await mine.hover();
    await mine.locator('[data-testid="comment-edit"]').click();
    await mine.locator('[data-testid="comment-editor"] textarea').fill("Fixed in v3.");
    await mine.locator('[data-testid="comment-editor"] [data-testid="comment-submit"]').click();
    await expect.poll(() => mine.locator('[data-testid="comment-edited"]').count()).toBe(1);
    expect(await mine.textContent()).toContain("Fixed in v3.");
  });

  it("refuses an unknown mention with the name in the message, and keeps the text", async () => {
    const thread = bellaPage.locator('[data-testid="case-detail"] [data-testid="comment-thread"]');
    const box = thread.locator('[data-testid="comment-composer"] [data-testid="comment-input"]');
    await box.fill("thanks @nobody");
    await thread.locator('[data-testid="comment-composer"] [data-testid="comment-submit"]').click();
    await expect.poll(() => thread.locator('[role="alert"]').textContent()).toContain("No member called @nobody in this workspace");
    expect(await box.inputValue()).toBe("thanks @nobody");
    expect(await thread.locator('[data-testid="comment"]').count()).toBe(2);
  });

  it("threads on a run and on a prompt version; the inbox page lists the lines", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/runs/${seeded.runId}`);
    const runThread = page.locator('[data-testid="comment-thread"][aria-label="Discussion of this run"]');
    await runThread.locator('[data-testid="comment-input"]').fill("@bella.comments the whole run looks slower on v1");
    await runThread.locator('[data-testid="comment-submit"]').click();
    await expect.poll(() => runThread.locator('[data-testid="comment"]').count()).toBe(1);
    await screenshot(page, "comments-run-thread");

    const prompt = await db.prompt.findFirstOrThrow({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true } });
    await page.goto(`/w/${slug}/prompts/${prompt.id}`);
    await page.locator('[data-testid="tab-comments"]').click();
    const versionThread = page.locator('[data-testid="comment-thread"]').first();
    await versionThread.locator('[data-testid="comment-input"]').fill("Ship it once the refund case is fixed.");
    await versionThread.locator('[data-testid="comment-submit"]').click();
    await expect.poll(() => versionThread.locator('[data-testid="comment"]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid="version-comment-count"]').textContent()).toBe("1");
    await screenshot(page, "comments-version-thread");
    await page.close();

    await expect.poll(() => badge(bellaPage).textContent()).toBe("1");
    await bellaPage.goto(`/w/${slug}/inbox`);
    const items = bellaPage.locator('[data-testid="inbox-list"] [data-testid="inbox-item"]');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.first().textContent()).toContain("Ada Owner mentioned you on run");
    expect(await items.first().getAttribute("data-unread")).toBe("true");
    await screenshot(bellaPage, "comments-inbox-page");
    await bellaPage.locator('[data-testid="inbox-mark-all"]').click();
    await expect.poll(() => items.first().getAttribute("data-unread")).toBe("false");
    await expect.poll(() => badge(bellaPage).count()).toBe(0);
  });
});
