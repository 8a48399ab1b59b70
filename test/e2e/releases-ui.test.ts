import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureOwner, launchBrowser, OWNER, screenshot as save } from "../support/browser.ts";
import { contextWithCookie, createUser, signIn } from "../support/people.ts";
import { ownerWorkspace } from "./compare-seed.ts";

// Issue #11's screens in the browser: the owner makes a gateway key (shown once) and revokes it; starts a canary from
// the prompt page (a bad ramp is refused next to its field); the release page shows the stages, the timeline with who
// did what, pause and resume, the seeded calls per arm with the numbers written below, and after a confirmed roll
// back the reason banner; a viewer sees every button disabled with the reason, and no way to gateway keys.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const appUrl = inject("appUrl");

const VIEWER = { name: "Vera Viewer", email: "vera.releases@assay.test" };
const PROMPT = "support-reply-rel";

let browser: Browser;
let owner: BrowserContext;
let viewer: BrowserContext;
let slug: string;
let workspaceId: string;
let promptId: string;
let releaseId: string;

const content = (text: string) => ({
  messages: [{ role: "system" as const, content: text }, { role: "user" as const, content: "{{ question }}" }],
  examples: [],
  counterexamples: [],
  exampleMode: "chat" as const,
  params: {},
  commitMessage: text,
});

beforeAll(async () => {
  await ensureOwner(appUrl);
  let ownerId: string;
  ({ workspaceId, userId: ownerId } = await ownerWorkspace(db, OWNER.email));
  slug = (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).slug;
  const viewerId = await createUser(db, VIEWER);
  await db.membership.create({ data: { workspaceId, userId: viewerId, role: "viewer" } });
  await db.prompt.deleteMany({ where: { workspaceId, name: PROMPT } });
  await db.gatewayKey.deleteMany({ where: { workspaceId, name: "checkout-service" } });
  const prompt = await prompts.createPrompt(workspaceId, ownerId, { name: PROMPT, version: content("Answer the customer politely.") });
  promptId = prompt.id;
  await prompts.createVersion(workspaceId, promptId, ownerId, content("Answer the customer politely, citing the order number."));
  // production serves v1 (written directly: whether this workspace protects production is another file's business)
  await db.promptLabel.create({ data: { promptId, name: "production", versionId: prompt.latest.id, updatedById: ownerId } });
  browser = await launchBrowser();
  owner = await contextWithCookie(browser, appUrl, await signIn(appUrl, OWNER.email, OWNER.password));
  viewer = await contextWithCookie(browser, appUrl, await signIn(appUrl, VIEWER.email));
});

afterAll(async () => {
  await owner?.close();
  await viewer?.close();
  await browser?.close();
  await db.user.deleteMany({ where: { email: VIEWER.email } });
});

// A release page polls while it is open: each test closes its pages so the next one does not share the server with them.
afterEach(async () => {
  for (const context of [owner, viewer]) for (const page of context?.pages() ?? []) await page.close();
});

/** The app scrolls inside its main pane, so a full-page shot is the viewport: make it as tall as the content first. */
async function screenshot(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() => Math.max(...[...document.querySelectorAll(".overflow-auto")].map((element) => element.scrollHeight), document.body.scrollHeight));
  await page.setViewportSize({ width: 1440, height: Math.min(Math.max(height + 40, 900), 4000) });
  await save(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

const state = (page: Page) => page.locator('[data-testid="release-header"] [data-testid="release-state"]').getAttribute("data-state");
const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

async function openRelease(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/w/${slug}/releases/${releaseId}`);
  await page.locator('[data-testid="release-timeline"]').waitFor();
  return page;
}

describe("release screens and gateway keys in the browser", () => {
  it("lets the owner create a gateway key, shows it once, and revokes it", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/settings/gateway-keys`);
    await page.locator('[data-testid="gateway-key-name"]').fill("checkout-service");
    await page.locator('[data-testid="gateway-key-submit"]').click();
    const value = page.locator('[data-testid="gateway-key-value"]');
    await value.waitFor();
    const key = await value.inputValue();
    expect(key).toMatch(/^assay_gw_[A-Za-z0-9_-]{43}$/);
    expect(await page.locator('[data-testid="gateway-key-created"]').textContent()).toContain("you will not see it again");
    const row = page.locator('[data-testid="gateway-key-row"][data-name="checkout-service"]');
    expect(await row.locator('[data-testid="gateway-key-prefix"]').textContent()).toBe(`${key.slice(0, 13)}…`);
    expect(await row.locator('[data-testid="gateway-key-last-used"]').textContent()).toBe("never");
    await screenshot(page, "releases-ui-keys-created");

    await page.reload();
    await row.waitFor();
    expect(await page.locator('[data-testid="gateway-key-created"]').count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    await row.locator('[data-testid="gateway-key-revoke"]').click();
    await row.locator('[data-testid="gateway-key-revoke-confirm"]').click();
    await expect.poll(() => row.getAttribute("data-revoked")).toBe("yes");
    expect(await db.gatewayKey.count({ where: { workspaceId, name: "checkout-service", revokedAt: { not: null } } })).toBe(1);
    await screenshot(page, "releases-ui-keys");
  });

  it("tells a viewer who manages gateway keys instead of listing them", async () => {
    const page = await viewer.newPage();
    await page.goto(`/w/${slug}/settings/gateway-keys`);
    expect(await page.locator('[data-testid="not-allowed"]').textContent()).toBe("Admins and above can manage gateway keys; you are a viewer.");
    expect(await page.locator('[data-testid="gateway-key-row"]').count()).toBe(0);
  });

  it("starts a canary from the prompt page, refusing a falling ramp next to its field", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/releases`);
    await page.locator("h1").first().waitFor();
    await screenshot(page, "releases-ui-list-before");
    await page.goto(`/w/${slug}/prompts/${promptId}`);
    expect(await page.locator('[data-testid="prompt-releases"]').textContent()).toContain("No release yet");
    await page.locator('[data-testid="prompt-start-release"]').click();
    const form = page.locator('[data-testid="new-release-form"]');
    await form.waitFor();
    expect(await form.locator('[data-testid="release-prompt"] option:checked').textContent()).toBe(PROMPT);
    expect(await form.locator('[data-testid="release-stable"] option:checked').textContent()).toBe("production → v1");
    expect(await form.locator('[data-testid="release-candidate-2"]').isChecked()).toBe(true);
    expect(await form.locator('[data-testid="release-steps"]').inputValue()).toBe("1, 5, 25, 50, 100");

    await form.locator('[data-testid="release-steps"]').fill("5, 1, 100");
    await form.locator('[data-testid="ring-add"]').click();
    await form.locator('[data-testid="ring-users"]').fill("ada@acme.test\nbob@acme.test");
    await form.locator('[data-testid="guards-min-calls"]').fill("1000");
    await form.locator('[data-testid="release-submit"]').click();
    const stepsError = form.locator('[data-testid="field-error"][data-field="steps"]');
    await stepsError.waitFor();
    expect(await stepsError.textContent()).toBe("steps must rise: 1 % follows 5 %");
    expect(await db.release.count({ where: { promptId } })).toBe(0);
    await screenshot(page, "releases-ui-new");

    await form.locator('[data-testid="release-steps"]').fill("1, 5, 25, 50, 100");
    await form.locator('[data-testid="release-submit"]').click();
    await page.waitForURL(/\/releases\/[a-z0-9]+$/);
    releaseId = new URL(page.url()).pathname.split("/").at(-1) as string;
    await expect.poll(() => state(page)).toBe("running");
    const stored = await db.release.findUniqueOrThrow({ where: { id: releaseId } });
    expect(stored.mode).toBe("canary");
    expect((stored.config as { guards: { minCalls: number }; rings: { users: string[] }[] }).guards.minCalls).toBe(1000);
    expect((stored.config as { rings: { users: string[] }[] }).rings[0]?.users).toEqual(["ada@acme.test", "bob@acme.test"]);
  });

  it("shows the stages, the arms, the timeline with who started it, and how to call it", async () => {
    const page = await openRelease(owner);
    expect(await page.locator('[data-testid="release-header"] [data-testid="release-arms"]').textContent()).toBe("stable v1 → candidate v2");
    expect(await texts(page, '[data-testid="release-stage-chip"]')).toEqual(["internal", "everyone 1 %", "everyone 5 %", "everyone 25 %", "everyone 50 %", "everyone 100 %"]);
    expect(await page.locator('[data-testid="release-stage-chip"][data-current="yes"]').textContent()).toBe("internal");
    expect(await page.locator('[data-testid="release-current-stage"]').textContent()).toBe("stage 1 of 6: internal");
    expect(await page.locator('[data-testid="timeline-event"]').evaluateAll((items) => items.map((item) => item.getAttribute("data-kind")))).toEqual(["created", "started"]);
    expect(await page.locator('[data-testid="timeline-event"][data-kind="started"]').textContent()).toContain("Started by Ada Owner");
    expect(await page.locator('[data-testid="arm-metrics-empty"]').count()).toBe(1);
    expect(await page.locator('[data-testid="no-calls"]').count()).toBe(1);
    const snippet = await page.locator('[data-testid="call-it-snippet"]').textContent();
    expect(snippet).toContain(`model: "${PROMPT}"`);
    expect(snippet).toContain('"question": "…"');
    expect(snippet).toMatch(/baseURL: "http:\/\/[^"]+\/api\/gateway\/v1"/);
  });

  it("pauses with the reason shown, and resumes", async () => {
    const page = await openRelease(owner);
    await page.locator('[data-testid="release-pause"]').click();
    await expect.poll(() => state(page)).toBe("paused");
    expect(await page.locator('[data-testid="release-reason-message"]').textContent()).toBe("Paused.");
    expect(await page.locator('[data-testid="timeline-event"][data-kind="paused"]').textContent()).toContain("Paused by Ada Owner");
    await page.locator('[data-testid="release-resume"]').click();
    await expect.poll(() => state(page)).toBe("running");
    expect(await page.locator('[data-testid="release-reason"]').count()).toBe(0);
    expect(await page.locator('[data-testid="timeline-event"][data-kind="resumed"]').textContent()).toContain("Resumed by Ada Owner");
  });

  it("shows the seeded calls per arm and per ring, live", async () => {
    const page = await openRelease(owner);
    const release = await db.release.findUniqueOrThrow({ where: { id: releaseId }, include: { arms: true } });
    const versionOf = (arm: string) => release.arms.find((item) => item.name === arm)?.versionId as string;
    // before the stage began, so the sample-ratio check (current stage only) has nothing to say
    const at = new Date((release.stageStartedAt as Date).getTime() - 60_000);
    const call = (arm: string, ring: string, index: number, failed: boolean, latencyMs: number, ttftMs: number, cost: number, user: string) => ({
      workspaceId,
      groupId: `${arm}-${index}`,
      source: "gateway" as const,
      promptId,
      versionId: versionOf(arm),
      model: "gpt-fake",
      params: {},
      variables: { question: "where is my order?" },
      messages: [],
      releaseId,
      arm,
      ring,
      userKeyHash: user,
      bucket: index,
      cost,
      createdAt: at,
      ...(failed ? { error: { status: 500, message: "upstream failed" } } : { latencyMs, ttftMs }),
    });
    await db.call.createMany({
      data: [
        // stable: 30 calls from 30 users, 3 errors, 400 ms, first token at 120 ms, $0.002 a call
        ...Array.from({ length: 30 }, (_, index) => call("stable", "everyone", index, index < 3, 400, 120, 0.002, `stable-user-${index}`)),
        // candidate: 8 calls from 4 users, 2 errors, 650 ms, first token at 200 ms, $0.003 a call
        ...Array.from({ length: 8 }, (_, index) => call("candidate", "internal", index, index < 2, 650, 200, 0.003, `internal-user-${index % 4}`)),
      ],
    });
    const metric = (arm: string, name: string) => page.locator(`[data-testid="arm-metrics"][data-arm="${arm}"] [data-metric="${name}"]`);
    await expect.poll(() => page.locator('[data-testid="arm-count"][data-arm="stable"] [data-testid="arm-calls"]').textContent()).toBe("30");
    expect(await page.locator('[data-testid="arm-count"][data-arm="candidate"] [data-testid="arm-calls"]').textContent()).toBe("8");
    expect(await page.locator('[data-testid="arm-count"][data-arm="candidate"]').textContent()).toContain("21.1% · 4 users");
    expect(await page.locator('[data-testid="arm-count"][data-arm="stable"]').textContent()).toContain("78.9% · 30 users");
    expect(await metric("stable", "errorRate").textContent()).toMatch(/^10\.0%/);
    expect(await metric("candidate", "errorRate").textContent()).toMatch(/^25\.0%/);
    expect(await metric("stable", "p50").textContent()).toBe("400 ms");
    expect(await metric("candidate", "p50").textContent()).toBe("650 ms");
    expect(await metric("stable", "ttft").textContent()).toBe("120 msp95 120 ms");
    expect(await metric("candidate", "ttft").textContent()).toBe("200 msp95 200 ms");
    expect(await metric("stable", "costPer1000").textContent()).toBe("$2.00");
    expect(await metric("candidate", "costPer1000").textContent()).toBe("$3.00");
    expect(await metric("candidate", "calls").textContent()).toBe("82 errors");
    expect(await page.locator('[data-testid="ring-row"][data-ring="internal"]').textContent()).toBe("internal08");
    expect(await page.locator('[data-testid="ring-row"][data-ring="everyone"]').textContent()).toBe("everyone300");
    expect(await page.locator('[data-testid="latency-ecdf"] [data-testid="ecdf-line"]').count()).toBe(2);
    expect(await page.locator('[data-testid="guard-row"]').count()).toBeGreaterThan(0);
    await screenshot(page, "releases-ui-running");
  });

  it("shows a viewer every action disabled with the reason, and no Start a release", async () => {
    const page = await openRelease(viewer);
    for (const action of ["advance", "pause", "rollback", "promote"]) {
      const button = page.locator(`[data-testid="release-${action}"]`);
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute("title")).toBe("Admins and above can manage releases; you are a viewer.");
    }
    expect(await texts(page, '[data-testid="release-action-reason"]')).toEqual(["Admins and above can manage releases; you are a viewer."]);
    await screenshot(page, "releases-ui-viewer");
    await page.goto(`/w/${slug}/prompts/${promptId}`);
    await page.locator('[data-testid="prompt-releases"]').waitFor();
    expect(await page.locator('[data-testid="prompt-start-release"]').count()).toBe(0);
    await page.goto(`/w/${slug}/releases/new?prompt=${promptId}`);
    expect(await page.locator('[data-testid="not-allowed"]').textContent()).toBe("Admins and above can manage releases; you are a viewer.");
  });

  it("rolls back after a confirm and shows the reason banner", async () => {
    const page = await openRelease(owner);
    await page.locator('[data-testid="release-rollback"]').click();
    const dialog = page.locator('[data-testid="release-confirm"]');
    expect(await dialog.textContent()).toContain("Every request goes back to stable v1 at once");
    await dialog.locator('[data-testid="release-confirm-note"]').fill("candidate errs on a quarter of the calls");
    await dialog.locator('[data-testid="release-confirm-go"]').click();
    await expect.poll(() => state(page)).toBe("rolled_back");
    expect(await page.locator('[data-testid="release-reason"]').getAttribute("data-kind")).toBe("manual");
    expect(await page.locator('[data-testid="release-reason-message"]').textContent()).toBe("candidate errs on a quarter of the calls");
    expect(await page.locator('[data-testid="timeline-event"][data-kind="rolled_back"]').textContent()).toContain("Rolled back by Ada Owner");
    expect(await page.locator('[data-testid="release-actions"]').count()).toBe(0);
    await screenshot(page, "releases-ui-rolled-back");
  });

  it("lists the release with its state, filtered by state", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/releases`);
    const row = page.locator('[data-testid="release-row"]', { hasText: PROMPT });
    await row.waitFor();
    expect(await row.getAttribute("data-state")).toBe("rolled_back");
    expect(await row.locator('[data-testid="release-arms"]').textContent()).toBe("stable v1 → candidate v2");
    expect(await row.locator('[data-testid="release-stage"]').textContent()).toBe("internal");
    await screenshot(page, "releases-ui-list");
    await page.locator('[data-testid="releases-filter-running"]').click();
    expect(await row.count()).toBe(0);
    await page.locator('[data-testid="releases-filter-rolled_back"]').click();
    expect(await row.count()).toBe(1);
    await page.goto(`/w/${slug}/prompts/${promptId}`);
    expect(await page.locator('[data-testid="prompt-release-row"]').count()).toBe(1);
  });

  it("shows a three-arm A/B draft with its Holm-corrected verdicts and a shadow draft with its comparison", async () => {
    const { userId } = await ownerWorkspace(db, OWNER.email);
    await prompts.createVersion(workspaceId, promptId, userId, content("Answer the customer politely, in two sentences."));
    const create = async (body: Record<string, unknown>) => {
      const response = await owner.request.post(`/api/releases`, { data: { prompt: PROMPT, ...body }, headers: { origin: appUrl, "x-assay-workspace": slug } });
      expect(response.status()).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const ab = await create({ mode: "ab", candidates: [2, 3], split: [34, 33, 33] });
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/releases/${ab}`);
    await page.locator('[data-testid="release-ab-card"]').waitFor();
    expect(await page.locator('[data-testid="release-header"] [data-testid="release-arms"]').textContent()).toBe("stable v1 · candidate v2 · candidate-2 v3");
    expect(await page.locator('[data-testid="release-ab-card"]').textContent()).toContain("Holm-corrected across the candidate arms.");
    expect(await page.locator('[data-testid="release-state"]').first().getAttribute("data-state")).toBe("draft");
    expect(await page.locator('[data-testid="release-start"]').isEnabled()).toBe(true);
    await screenshot(page, "releases-ui-ab-draft");

    const shadow = await create({ mode: "shadow", candidate: 3, sample: 50 });
    await page.goto(`/w/${slug}/releases/${shadow}`);
    expect(await page.locator('[data-testid="shadow-summary"] dd').first().textContent()).toBe("0 (0 scored)");
    await screenshot(page, "releases-ui-shadow-draft");
  });

  it("shows an automatic rollback by the error-rate guard with its evidence, and 'automatic' on the timeline", async () => {
    const response = await owner.request.post(`/api/releases`, {
      data: { prompt: PROMPT, mode: "ab", candidate: 2, split: [50, 50], guards: { minCalls: 20 } },
      headers: { origin: appUrl, "x-assay-workspace": slug },
    });
    expect(response.status()).toBe(201);
    const id = ((await response.json()) as { id: string }).id;
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/releases/${id}`);
    await page.locator('[data-testid="release-start"]').click();
    await expect.poll(() => state(page)).toBe("running");
    const release = await db.release.findUniqueOrThrow({ where: { id }, include: { arms: true } });
    const versionOf = (arm: string) => release.arms.find((item) => item.name === arm)?.versionId as string;
    // 100 calls an arm from 100 users each; the candidate fails 40 of its 100: far beyond the 1-point tolerance
    const call = (arm: string, index: number, failed: boolean) => ({
      workspaceId,
      groupId: `auto-${arm}-${index}`,
      source: "gateway" as const,
      promptId,
      versionId: versionOf(arm),
      model: "gpt-fake",
      params: {},
      variables: {},
      messages: [],
      releaseId: id,
      arm,
      ring: "everyone",
      userKeyHash: `auto-${arm}-user-${index}`,
      bucket: index,
      ...(failed ? { error: { status: 500, message: "upstream failed" } } : { latencyMs: 300, ttftMs: 100 }),
    });
    await db.call.createMany({
      data: [...Array.from({ length: 100 }, (_, index) => call("stable", index, false)), ...Array.from({ length: 100 }, (_, index) => call("candidate", index, index < 40))],
    });
    await expect.poll(() => state(page), { timeout: 30_000 }).toBe("rolled_back");
    const banner = page.locator('[data-testid="release-reason"]');
    expect(await banner.getAttribute("data-kind")).toBe("guard");
    expect(await banner.textContent()).toContain("Rolled back by a guard");
    expect(await banner.locator('[data-testid="release-reason-evidence"]').first().textContent()).toContain("Error rate");
    expect(await page.locator('[data-testid="timeline-event"][data-kind="rolled_back"]').textContent()).toContain("Rolled back automatic");
    expect(await page.locator('[data-testid="guard-row"][data-guard="errorRate"]').getAttribute("data-status")).toBe("breach");
    await screenshot(page, "releases-ui-auto-rolled-back");
  });
});
