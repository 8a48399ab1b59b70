import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, OWNER, screenshot, signedInContext } from "../support/browser.ts";
import { createUser, PASSWORD } from "../support/people.ts";
import { ownerWorkspace } from "./compare-seed.ts";

// Issue #10 "Members and workspaces" in the browser: the owner invites by email and copies the link; a second person
// opens it in a browser of their own, creates the invited account and lands in the workspace with the invited role;
// a second use of the link says it was used; the newcomer creates a workspace of their own and the switcher lists both.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const appUrl = inject("appUrl");

const NEWCOMER = { name: "Nina Newcomer", email: "nina.members@assay.test", password: "nina's long password" };
const OWN_WORKSPACE = "Nina's Lab";
const EXISTING = { name: "Ezra Existing", email: "ezra.members@assay.test" };

let browser: Browser;
let owner: BrowserContext;
let newcomer: BrowserContext;
let slug: string;
let invitePath: string;

beforeAll(async () => {
  browser = await launchBrowser();
  owner = await signedInContext(browser, appUrl);
  const { workspaceId } = await ownerWorkspace(db, OWNER.email);
  slug = (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).slug;
  await db.user.deleteMany({ where: { email: NEWCOMER.email } });
  await db.invitation.deleteMany({ where: { email: { in: [NEWCOMER.email, EXISTING.email] } } });
  await db.workspace.deleteMany({ where: { name: OWN_WORKSPACE } });
});

afterAll(async () => {
  await newcomer?.close();
  await owner?.close();
  await browser?.close();
  // later files count the owner's members: the newcomer and their workspace go again
  await db.workspace.deleteMany({ where: { name: OWN_WORKSPACE } });
  await db.user.deleteMany({ where: { email: { in: [NEWCOMER.email, EXISTING.email] } } });
});

async function sidebarText(page: Page): Promise<string> {
  return (await page.locator('[data-testid="sidebar"]').textContent()) ?? "";
}

describe("members and invitations in the browser", () => {
  it("the owner invites by email and is shown the link to copy, and the invitation is pending", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/settings/members`);
    await page.locator('[data-testid="member-row"]').first().waitFor();
    expect(await page.locator('[data-testid="member-row"][data-email="owner@assay.test"] [data-testid="member-role"]').inputValue()).toBe("owner");
    await page.fill('[data-testid="invite-email"]', NEWCOMER.email);
    await page.selectOption('[data-testid="invite-role"]', "editor");
    await page.click('[data-testid="invite-submit"]');
    await page.locator('[data-testid="invite-result"]').waitFor();
    const link = await page.locator('[data-testid="invite-link"]').inputValue();
    expect(link).toMatch(/\/invite\/[\w-]{43}$/);
    invitePath = new URL(link).pathname;
    expect(await page.locator('[data-testid="invite-mail"]').textContent()).toBe(
      "No mail server is configured (ASSAY_SMTP_URL), so nothing was emailed: send this link to them yourself.",
    );
    await page.click('[data-testid="invite-link-copy"]');
    await page.locator('[data-testid="invitation-row"][data-email="nina.members@assay.test"]').waitFor();
    await screenshot(page, "members-invited");
    await page.close();
  });

  it("bad input on the invite form names the field and adds no invitation", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/settings/members`);
    await page.locator('[data-testid="invite-email"]').waitFor();
    await page.fill('[data-testid="invite-email"]', "owner@assay.test");
    await page.click('[data-testid="invite-submit"]');
    expect(await page.locator('[data-testid="invite-error"]').textContent()).toBe("owner@assay.test is already a member of this workspace (owner).");
    expect(await db.invitation.count({ where: { email: "owner@assay.test" } })).toBe(0);
    await page.close();
  });

  it("a second person opens the link in their own browser, creates the account and lands in the workspace as editor", async () => {
    newcomer = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
    const page = await newcomer.newPage();
    await page.goto(invitePath);
    const card = page.locator('[data-testid="invitation"]');
    await card.waitFor();
    expect(await card.getAttribute("data-workspace")).toBe(OWNER.workspaceName);
    expect(await card.getAttribute("data-role")).toBe("editor");
    expect(await page.locator("h1").textContent()).toBe(`Join ${OWNER.workspaceName}`);
    expect(await page.locator('[data-testid="invitation-email"]').inputValue()).toBe(NEWCOMER.email);
    await screenshot(page, "invitation-sign-up");
    await page.fill('[data-testid="invitation-name"]', NEWCOMER.name);
    await page.fill('[data-testid="invitation-password"]', NEWCOMER.password);
    await page.click('[data-testid="invitation-submit"]');
    await page.waitForURL(`**/w/${slug}/prompts`);
    const sidebar = await sidebarText(page);
    expect(sidebar).toContain(NEWCOMER.name);
    expect(sidebar).toContain(`${NEWCOMER.email} · editor`);
    expect(sidebar).toContain(OWNER.workspaceName);
  });

  it("the owner sees the newcomer as an editor, and the invitation is no longer pending", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/settings/members`);
    await page.locator(`[data-testid="member-row"][data-email="${NEWCOMER.email}"]`).waitFor();
    expect(await page.locator(`[data-testid="member-row"][data-email="${NEWCOMER.email}"] [data-testid="member-role"]`).inputValue()).toBe("editor");
    expect(await page.locator(`[data-testid="invitation-row"][data-email="${NEWCOMER.email}"]`).count()).toBe(0);
    // the only owner's own role cannot be changed, and the page says why
    expect(await page.locator('[data-testid="member-row"][data-email="owner@assay.test"] [data-testid="member-role"]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="member-row"][data-email="owner@assay.test"] [data-testid="role-reason"]').textContent()).toBe(
      "The last owner cannot be demoted; make someone else owner first.",
    );
    await screenshot(page, "members-page");
    await page.close();
  });

  it("the link opened again in a fresh browser says it was already used, and the editor sees members without controls", async () => {
    const fresh = await browser.newContext({ baseURL: appUrl });
    const page = await fresh.newPage();
    await page.goto(invitePath);
    expect(await page.locator('[data-testid="invitation-state"]').getAttribute("data-state")).toBe("used");
    expect(await page.locator("h1").textContent()).toBe("Invitation already used");
    await screenshot(page, "invitation-used");
    await fresh.close();
    const mine = await newcomer.newPage();
    await mine.goto(`/w/${slug}/settings/members`);
    await mine.locator('[data-testid="member-row"]').first().waitFor();
    expect(await mine.locator('[data-testid="invite"]').count()).toBe(0);
    expect(await mine.locator('[data-testid="members"] [data-testid="not-allowed"]').textContent()).toBe("Admins and above can manage members; you are an editor.");
    expect(await mine.locator(`[data-testid="member-row"][data-email="${NEWCOMER.email}"] [data-testid="member-remove"]`).textContent()).toBe("Leave");
    await mine.close();
  });

  it("the newcomer creates a workspace of their own; the switcher lists both with the role, and switching keeps the area", async () => {
    const page = await newcomer.newPage();
    await page.goto(`/w/${slug}/runs`);
    await page.click('[data-testid="workspace-switcher"]');
    await page.click('[data-testid="new-workspace"]');
    await page.waitForURL("**/w/new");
    await screenshot(page, "workspace-new");
    await page.fill('[data-testid="workspace-name"]', OWN_WORKSPACE);
    await page.click('[data-testid="create-workspace"]');
    await page.waitForURL("**/w/nina-s-lab/prompts");
    await page.goto("/w/nina-s-lab/runs");
    await page.click('[data-testid="workspace-switcher"]');
    const options = page.locator('[data-testid="workspace-option"]');
    await options.first().waitFor();
    expect(await options.allTextContents()).toEqual([`${OWNER.workspaceName}editor`, `✓${OWN_WORKSPACE}owner`]);
    await screenshot(page, "workspace-switcher");
    await page.click(`[data-testid="workspace-option"][data-slug="${slug}"]`);
    await page.waitForURL(`**/w/${slug}/runs`);
    expect(await page.locator('[data-testid="current-workspace"]').textContent()).toBe(OWNER.workspaceName);
    await page.close();
  });

  it("the owner's general settings save protected labels and refuse 11 approvals with the field named", async () => {
    const page = await owner.newPage();
    await page.goto(`/w/${slug}/settings`);
    await page.locator('[data-testid="protected-label-row"]').first().waitFor();
    expect(await page.locator('[data-testid="protected-label-name"]').first().inputValue()).toBe("production");
    await page.fill('[data-testid="protected-label-approvals"] >> nth=0', "11");
    await page.click('[data-testid="protected-labels-save"]');
    expect(await page.locator('[data-testid="protected-labels-outcome"]').textContent()).toBe("labels.0.approvals: At most 10 approvals");
    expect((await db.workspace.findFirstOrThrow({ where: { slug } })).protectedLabels).toEqual([{ name: "production", approvals: 1 }]);
    await screenshot(page, "settings-general");
    await page.close();
  });

  it("someone who has an account signs in from the invitation page, comes back to it and joins as viewer", async () => {
    await createUser(db, EXISTING);
    const created = await owner.request.post(`${appUrl}/api/invitations`, {
      data: { email: EXISTING.email, role: "viewer" },
      headers: { origin: appUrl, "x-assay-workspace": slug },
    });
    expect(created.status()).toBe(201);
    const path = new URL(((await created.json()) as { url: string }).url).pathname;
    const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(path);
    await page.click('[data-testid="invitation-sign-in"]');
    await page.waitForURL("**/login?next=**");
    await page.fill("#email", EXISTING.email);
    await page.fill("#password", PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForURL(`**${path}`);
    expect(await page.locator('[data-testid="invitation-submit"]').textContent()).toBe("Join workspace");
    await screenshot(page, "invitation-join");
    await page.click('[data-testid="invitation-submit"]');
    await page.waitForURL(`**/w/${slug}/prompts`);
    expect(await sidebarText(page)).toContain(`${EXISTING.email} · viewer`);
    await context.close();
  });
});
