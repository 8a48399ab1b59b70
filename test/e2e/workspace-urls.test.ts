import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureOwner, launchBrowser, OWNER, screenshot } from "../support/browser.ts";
import { contextWithCookie, createUser, signIn } from "../support/people.ts";
import { ownerWorkspace } from "./compare-seed.ts";

// Issue #10 "every URL names its workspace": a person in two workspaces opens each by its URL, a pasted link opens the
// workspace it was copied from, links from before (/prompts/…) still open, and a link to a workspace one is not a
// member of says so instead of opening another one. API calls name the workspace in x-assay-workspace (or, for a plain
// link such as a download, the Referer's page).

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const appUrl = inject("appUrl");

const SECOND = { name: "Beacon Labs", slug: "beacon-labs-urls" };
const OUTSIDER = { name: "Olga Outside", email: "olga.urls@assay.test" };

let browser: Browser;
let owner: BrowserContext;
let ownerCookie: string;
let outsiderCookie: string;
let firstSlug: string;
let secondPromptId: string;

beforeAll(async () => {
  await ensureOwner(appUrl);
  const { workspaceId, userId } = await ownerWorkspace(db, OWNER.email);
  firstSlug = (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).slug;
  await db.workspace.deleteMany({ where: { slug: SECOND.slug } });
  await db.workspace.create({ data: { ...SECOND, memberships: { create: { userId, role: "editor" } } } });
  const outsiderId = await createUser(db, OUTSIDER);
  await db.membership.create({ data: { workspaceId, userId: outsiderId, role: "editor" } });
  ownerCookie = await signIn(appUrl, OWNER.email, OWNER.password);
  outsiderCookie = await signIn(appUrl, OUTSIDER.email);
  // Written through the API with the header, as the browser's api() sends it: the prompt lands in the second workspace.
  const created = await fetch(`${appUrl}/api/prompts`, {
    method: "POST",
    headers: { cookie: ownerCookie, origin: appUrl, "content-type": "application/json", "x-assay-workspace": SECOND.slug },
    body: JSON.stringify({ name: "beacon-only-prompt" }),
  });
  if (created.status !== 201 && created.status !== 200) throw new Error(`creating the prompt failed: ${created.status} ${await created.text()}`);
  secondPromptId = ((await created.json()) as { prompt: { id: string } }).prompt.id;
  browser = await launchBrowser();
  owner = await contextWithCookie(browser, appUrl, ownerCookie);
});

afterAll(async () => {
  await owner?.close();
  await browser?.close();
});

const apiPrompts = async (cookie: string, headers: Record<string, string>) => {
  const response = await fetch(`${appUrl}/api/prompts`, { headers: { cookie, ...headers } });
  return { status: response.status, body: (await response.json()) as { prompts?: { name: string }[]; error?: { message: string } } };
};

describe("workspace in every URL", () => {
  it("redirects an old link (/prompts) to the same page in the current workspace", async () => {
    const page = await owner.newPage();
    await page.goto("/prompts?tab=all");
    expect(new URL(page.url()).pathname).toBe(`/w/${firstSlug}/prompts`);
    expect(new URL(page.url()).search).toBe("?tab=all");
    await page.close();
  });

  it("opens the workspace a URL names, with its own data, and remembers it for links that name none", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${SECOND.slug}/prompts/${secondPromptId}`);
    await page.locator('[data-testid="sidebar"]').waitFor();
    expect(await page.locator('[data-testid="sidebar"]').textContent()).toContain("Beacon Labs");
    expect(await page.locator("h1").first().textContent()).toContain("beacon-only-prompt");
    // the sidebar's links stay in this workspace
    expect(await page.locator('[data-testid="sidebar"] a', { hasText: "Runs" }).getAttribute("href")).toBe(`/w/${SECOND.slug}/runs`);
    await screenshot(page, "workspace-url-second");
    await page.goto("/");
    expect(new URL(page.url()).pathname).toBe(`/w/${SECOND.slug}/prompts`);
    // the first workspace's prompt id under the second's URL is not found there
    await page.goto(`/w/${firstSlug}/prompts`);
    expect(await page.locator('[data-testid="sidebar"]').textContent()).toContain(OWNER.workspaceName);
    await page.close();
  });

  it("tells a member of another workspace that the pasted link's workspace is not theirs", async () => {
    const context = await contextWithCookie(browser, appUrl, outsiderCookie);
    const page = await context.newPage();
    await page.goto(`/w/${SECOND.slug}/prompts/${secondPromptId}`);
    expect(new URL(page.url()).pathname).toBe("/no-workspace");
    expect(await page.locator("h1").first().textContent()).toBe("Not a member of this workspace");
    expect(await page.getByRole("link", { name: `Open ${OWNER.workspaceName}` }).getAttribute("href")).toBe(`/w/${firstSlug}/prompts`);
    await screenshot(page, "workspace-url-not-member");
    await context.close();
  });

  it("answers API calls for the workspace the header or the page's Referer names, 403 for one that is not mine", async () => {
    const named = await apiPrompts(ownerCookie, { "x-assay-workspace": SECOND.slug });
    expect(named.status).toBe(200);
    expect(named.body.prompts?.map((prompt) => prompt.name)).toEqual(["beacon-only-prompt"]);
    const fromReferer = await apiPrompts(ownerCookie, { referer: `${appUrl}/w/${SECOND.slug}/prompts` });
    expect(fromReferer.body.prompts?.map((prompt) => prompt.name)).toEqual(["beacon-only-prompt"]);
    const foreign = await apiPrompts(outsiderCookie, { "x-assay-workspace": SECOND.slug });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.message).toBe(`You are not a member of the workspace "${SECOND.slug}"; ask one of its admins to invite you.`);
  });
});
