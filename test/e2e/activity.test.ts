import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureOwner, launchBrowser, OWNER, screenshot } from "../support/browser.ts";
import { contextWithCookie, createUser, signIn } from "../support/people.ts";
import { ownerWorkspace, seedComparison } from "./compare-seed.ts";

// Issue #10 "Activity": the workspace feed by day, filtered by person, prompt and kind (kept in the URL), paged with
// "Load more"; opening a comparison page writes one line however often it is reloaded; the prompt page lists its
// recent activity. The workspace is this file's own, so the feed holds exactly what is seeded here.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const { createPrompt, createVersion } = await import("../../lib/prompts/service.ts");
const { recordActivity } = await import("../../lib/activity/record.ts");
const appUrl = inject("appUrl");

const WORKSPACE = { name: "Activity Team", slug: "activity-team-e2e" };
const BEA = { name: "Bea Editor", email: "bea.activity@assay.test" };
const HISTORY = 60;

let browser: Browser;
let owner: BrowserContext;
let ownerCookie: string;
let workspaceId: string;
let ownerId: string;
let beaId: string;
let triageId: string;
let variantIds: string[];

const at = (path: string) => `/w/${WORKSPACE.slug}${path}`;

async function lines(page: Page): Promise<string[]> {
  return page.locator('[data-testid="activity-item"]').evaluateAll((items) => items.map((item) => (item.querySelector('[data-testid="activity-sentence"]')?.textContent ?? "").trim()));
}

beforeAll(async () => {
  await ensureOwner(appUrl);
  ownerId = (await ownerWorkspace(db, OWNER.email)).userId;
  await db.workspace.deleteMany({ where: { slug: WORKSPACE.slug } });
  workspaceId = (await db.workspace.create({ data: { ...WORKSPACE, memberships: { create: { userId: ownerId, role: "owner" } } } })).id;
  beaId = await createUser(db, BEA);
  await db.membership.create({ data: { workspaceId, userId: beaId, role: "editor" } });

  // An older history first (spread over the three days before today), so the feed has several days and a second page.
  const changelog = await createPrompt(workspaceId, ownerId, { name: "changelog-writer", version: { messages: [{ role: "user", content: "Summarize {{ diff }}" }], commitMessage: "first" } });
  for (let number = 2; number <= HISTORY; number++) {
    await createVersion(workspaceId, changelog.id, ownerId, { messages: [{ role: "user", content: `Summarize {{ diff }} (${number})` }], commitMessage: `change ${number}` });
  }
  const history = await db.activityEvent.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } });
  const startOfToday = new Date();
  startOfToday.setHours(0, 0, 0, 0);
  for (const [index, event] of history.entries()) {
    const createdAt = new Date(startOfToday.getTime() - 3 * 24 * 3600_000 + index * 3600_000);
    await db.activityEvent.update({ where: { id: event.id }, data: { createdAt } });
  }

  // Today: Bea creates a prompt, the owner saves v2, Bea's run finishes, the owner moves production, Bea joins.
  await recordActivity({ workspaceId, kind: "member.joined", actorId: beaId, data: { userId: beaId, role: "editor" } });
  const triage = await createPrompt(workspaceId, beaId, { name: "support-triage", version: { messages: [{ role: "user", content: "Triage {{ ticket }}" }], commitMessage: "first cut" } });
  triageId = triage.id;
  const v2 = await createVersion(workspaceId, triageId, ownerId, { messages: [{ role: "user", content: "Triage {{ ticket }} tightly" }], commitMessage: "tighter label list" });
  const seeded = await seedComparison(db, {
    workspaceId,
    name: "nightly",
    cases: 50,
    variants: [
      { label: "v1 zero-shot", quality: 0.7, latency: 900, inputTokens: 120, examples: 0, counterexamples: 0 },
      { label: "v2 tighter", quality: 0.85, latency: 700, inputTokens: 140, examples: 0, counterexamples: 0 },
    ],
  });
  variantIds = seeded.variantIds;
  await recordActivity({ workspaceId, kind: "run.started", actorId: beaId, data: { runId: seeded.runId, name: "nightly", variants: 2, cells: 100 } });
  await recordActivity({ workspaceId, kind: "run.finished", actorId: beaId, data: { runId: seeded.runId, name: "nightly", status: "completed", passRate: 0.92, done: 100, cells: 100, errors: 0 } });
  await recordActivity({
    workspaceId,
    kind: "label.moved",
    actorId: ownerId,
    promptId: triageId,
    data: { label: "production", fromVersionId: triage.latest.id, fromNumber: 1, toVersionId: v2.id, toNumber: 2, reviewId: null },
  });

  ownerCookie = await signIn(appUrl, OWNER.email, OWNER.password);
  browser = await launchBrowser();
  owner = await contextWithCookie(browser, appUrl, ownerCookie);
});

afterAll(async () => {
  await owner?.close();
  await browser?.close();
});

describe("activity feed", () => {
  it("records one line for a comparison however often its page is reloaded", async () => {
    const page = await owner.newPage();
    for (let load = 0; load < 3; load++) {
      await page.goto(at(`/compare?variants=${variantIds.join(",")}`));
      await page.locator("h1", { hasText: "v1 zero-shot" }).waitFor();
    }
    expect(await db.activityEvent.count({ where: { workspaceId, kind: "comparison.opened" } })).toBe(1);
    await page.close();
  });

  it("shows the feed by day, newest first, with Load more for older days", async () => {
    const page = await owner.newPage();
    await page.goto(at("/prompts"));
    await page.locator('[data-testid="sidebar"] a', { hasText: "Activity" }).click();
    await page.waitForURL(`**${at("/activity")}`);
    await page.locator('[data-testid="activity-item"]').first().waitFor();
    expect((await lines(page)).slice(0, 7)).toEqual([
      "Ada Owner opened the comparison 'v1 zero-shot' vs 'v2 tighter'",
      "Ada Owner moved production of support-triage from v1 to v2",
      "Run 'nightly' finished: 92% pass",
      "Bea Editor started run 'nightly' — 2 variants, 100 cells",
      "Ada Owner saved support-triage v2 — 'tighter label list'",
      "Bea Editor created support-triage (v1) — 'first cut'",
      "Bea Editor joined as editor",
    ]);
    expect(await page.locator('[data-testid="activity-day"] h2').first().textContent()).toBe("Today");
    expect(await page.locator('[data-testid="activity-item"]').count()).toBe(50);
    const firstTime = await page.locator('[data-testid="activity-item"] time').first().textContent();
    expect(firstTime).toMatch(/^(just now|\d+ min ago)$/);
    await screenshot(page, "activity-feed");

    await page.locator('[data-testid="load-more"]').click();
    await expect.poll(() => page.locator('[data-testid="activity-item"]').count()).toBe(HISTORY + 7);
    expect(await page.locator('[data-testid="load-more"]').count()).toBe(0);
    expect((await lines(page)).at(-1)).toBe("Ada Owner created changelog-writer (v1) — 'first'");
    // The three days before today, each under its own heading.
    expect(await page.locator('[data-testid="activity-day"]').count()).toBe(4);
    await page.locator('[data-testid="activity-day"]').nth(3).scrollIntoViewIfNeeded();
    await screenshot(page, "activity-feed-older");
    await page.close();
  });

  it("announces lines a teammate adds while the feed is open, and shows them on request", async () => {
    const page = await owner.newPage();
    await page.goto(at("/activity"));
    await page.locator('[data-testid="activity-item"]').first().waitFor();
    await createVersion(workspaceId, triageId, beaId, { messages: [{ role: "user", content: "Triage {{ ticket }} kindly" }], commitMessage: "kinder tone" });
    const banner = page.locator('[data-testid="show-new-activity"]');
    await banner.waitFor({ timeout: 45_000 });
    expect(await banner.textContent()).toBe("1 new event — show");
    await screenshot(page, "activity-new-events");
    await banner.click();
    expect((await lines(page))[0]).toBe("Bea Editor saved support-triage v3 — 'kinder tone'");
    await page.close();
  });

  it("filters by person, kind and prompt, keeping the filters in the URL", async () => {
    const page = await owner.newPage();
    await page.goto(at("/activity"));
    await page.locator('[data-testid="filter-person"]').selectOption({ label: BEA.name });
    await page.waitForURL((url) => url.searchParams.get("actor") === beaId);
    await expect.poll(() => lines(page)).toEqual([
      "Bea Editor saved support-triage v3 — 'kinder tone'",
      "Run 'nightly' finished: 92% pass",
      "Bea Editor started run 'nightly' — 2 variants, 100 cells",
      "Bea Editor created support-triage (v1) — 'first cut'",
      "Bea Editor joined as editor",
    ]);
    await page.locator('[data-testid="kind-chip-runs"]').click();
    await page.waitForURL((url) => url.searchParams.get("kind") === "runs");
    await expect.poll(() => lines(page)).toEqual(["Run 'nightly' finished: 92% pass", "Bea Editor started run 'nightly' — 2 variants, 100 cells"]);
    expect(await page.locator('[data-testid="kind-chip-runs"]').getAttribute("aria-pressed")).toBe("true");
    await screenshot(page, "activity-filtered");

    // A reload (or a pasted link) keeps the filters.
    await page.reload();
    await expect.poll(() => lines(page)).toHaveLength(2);
    expect(await page.locator('[data-testid="filter-person"]').inputValue()).toBe(beaId);

    await page.locator('[data-testid="clear-filters"]').click();
    await page.waitForURL((url) => url.search === "");
    await page.locator('[data-testid="filter-prompt"]').selectOption({ label: "support-triage" });
    await page.waitForURL((url) => url.searchParams.get("prompt") === triageId);
    await expect.poll(() => lines(page)).toEqual([
      "Bea Editor saved support-triage v3 — 'kinder tone'",
      "Ada Owner moved production of support-triage from v1 to v2",
      "Ada Owner saved support-triage v2 — 'tighter label list'",
      "Bea Editor created support-triage (v1) — 'first cut'",
    ]);
    await page.locator('[data-testid="activity-item"] a', { hasText: "saved support-triage v2" }).click();
    await page.waitForURL((url) => url.pathname === at(`/prompts/${triageId}`) && url.searchParams.get("v") === "2");
    await page.close();
  });

  it("lists a prompt's recent activity on its page, linking to the filtered feed", async () => {
    const page = await owner.newPage();
    await page.goto(at(`/prompts/${triageId}`));
    const recent = page.locator('[data-testid="recent-activity"]');
    await recent.waitFor();
    await recent.scrollIntoViewIfNeeded();
    expect(await recent.locator('[data-testid="activity-item"]').count()).toBe(4);
    expect(await recent.textContent()).toContain("Ada Owner moved production of support-triage from v1 to v2");
    await screenshot(page, "prompt-recent-activity");
    await recent.locator("a", { hasText: "All activity for this prompt" }).click();
    await page.waitForURL((url) => url.pathname === at("/activity") && url.searchParams.get("prompt") === triageId);
    await page.close();
  });

  it("the API answers a bad filter with a message naming the field", async () => {
    const response = await fetch(`${appUrl}/api/activity?kind=gossip`, { headers: { cookie: ownerCookie, "x-assay-workspace": WORKSPACE.slug } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe('kind: unknown kind "gossip"; use prompts, runs, reviews, labels, members, releases or an event kind');
    const page = (await (await fetch(`${appUrl}/api/activity?limit=2&actor=${beaId}`, { headers: { cookie: ownerCookie, "x-assay-workspace": WORKSPACE.slug } })).json()) as {
      items: { sentence: string }[];
      nextCursor: string | null;
    };
    expect(page.items.map((item) => item.sentence)).toEqual(["Bea Editor saved support-triage v3 — 'kinder tone'", "Run 'nightly' finished: 92% pass"]);
    expect(page.nextCursor).not.toBeNull();
  });
});
