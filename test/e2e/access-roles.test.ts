import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiRoutes, urlOf, type Method } from "../support/api-routes.ts";
import { ensureOwner, launchBrowser, OWNER, screenshot } from "../support/browser.ts";
import { contextWithCookie, createUser, PASSWORD, signIn } from "../support/people.ts";
import { ownerWorkspace } from "./compare-seed.ts";

// Issue #9 "One permission table": every API route, as each role and as a signed-in account of no workspace, answers
// what this file's table says. The routes come from the file tree, so a route without a row here fails the crawl.
// The table is written out by hand — not computed from lib/auth/permissions.ts — so a changed rule shows up as a
// failing row. "Allowed" means neither 401 nor 403 (dummy ids and empty bodies make most allowed calls 400 or 404,
// which also keeps the crawl free of side effects for the e2e files after it); "denied" means 403 naming the role.
// An account that belongs to no workspace is signed in, so it gets 403 (not 401) on every route.
// Memberships are written to the database directly until invitations exist (issue #10).

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");

const appUrl = inject("appUrl");

type Role = "owner" | "admin" | "editor" | "viewer";
const EVERYONE: readonly Role[] = ["owner", "admin", "editor", "viewer"];
const EDITORS_UP: readonly Role[] = ["owner", "admin", "editor"];
const ADMINS_UP: readonly Role[] = ["owner", "admin"];

interface Rule {
  rule: string;
  allowed: readonly Role[];
}

const read: Rule = { rule: "workspace.read", allowed: EVERYONE };
const vote: Rule = { rule: "vote.cast", allowed: EVERYONE };
const callModel: Rule = { rule: "model.call", allowed: EDITORS_UP };
const editPrompt: Rule = { rule: "prompt.edit", allowed: EDITORS_UP };
const editSuite: Rule = { rule: "suite.edit", allowed: EDITORS_UP };
const cancelRun: Rule = { rule: "run.cancel", allowed: EDITORS_UP };
const moveLabel: Rule = { rule: "label.move", allowed: EDITORS_UP };
const review: Rule = { rule: "review.write", allowed: EDITORS_UP };
const manageConnections: Rule = { rule: "connection.manage", allowed: ADMINS_UP };
const manageLocalModels: Rule = { rule: "localModel.manage", allowed: ADMINS_UP };
const comment: Rule = { rule: "comment.write", allowed: EVERYONE };
const manageMembers: Rule = { rule: "member.manage", allowed: ADMINS_UP };
const manageShareLinks: Rule = { rule: "shareLink.manage", allowed: ADMINS_UP };
const OWNERS: readonly Role[] = ["owner"];
const settings: Rule = { rule: "workspace.settings", allowed: OWNERS };
const transfer: Rule = { rule: "workspace.transfer", allowed: OWNERS };
const shareLinks: Rule = { rule: "shareLink.create", allowed: EDITORS_UP };
const manageReleases: Rule = { rule: "release.manage", allowed: ADMINS_UP };
const manageGatewayKeys: Rule = { rule: "gatewayKey.manage", allowed: ADMINS_UP };

/** Route (as under app/api) → method → who may call it. Public routes are checked by access.test.ts. */
const EXPECTED: Record<string, Partial<Record<Method, Rule>>> = {
  ablations: { POST: callModel },
  activity: { GET: read },
  comments: { GET: read, POST: comment },
  "comments/[id]": { PATCH: comment, DELETE: comment },
  "comments/counts": { GET: read },
  "comments/mentionable": { GET: read },
  compare: { GET: read },
  "compare/case": { GET: read },
  "compare/judge": { POST: callModel },
  "compare/outputs": { POST: read },
  "compare/search": { GET: read },
  distillations: { GET: read, POST: callModel },
  "distillations/[id]": { GET: read, DELETE: manageLocalModels },
  "distillations/[id]/cancel": { POST: callModel },
  "distillations/[id]/cascade": { PUT: callModel },
  "distillations/[id]/compare": { POST: callModel },
  "gateway-keys": { GET: manageGatewayKeys, POST: manageGatewayKeys },
  "gateway-keys/[id]": { DELETE: manageGatewayKeys },
  connections: { GET: read, POST: manageConnections },
  "connections/[id]": { GET: read, PATCH: manageConnections, DELETE: manageConnections },
  "connections/[id]/test": { POST: manageConnections },
  "connections/test": { POST: manageConnections },
  inbox: { GET: read },
  "inbox/read": { POST: read },
  "inbox/stream": { GET: read },
  invitations: { GET: manageMembers, POST: manageMembers },
  "invitations/[id]": { DELETE: manageMembers },
  "invitations/[id]/resend": { POST: manageMembers },
  "local-models": { GET: read, POST: manageLocalModels },
  "local-models/[id]": { DELETE: manageLocalModels },
  "local-models/measure": { POST: manageLocalModels },
  "local-models/quantize": { POST: manageLocalModels },
  "local-models/tradeoff": { GET: read, POST: manageLocalModels },
  "local-models/tradeoff/suite": { POST: callModel },
  members: { GET: read },
  // removing someone else is member.manage; leaving (DELETE members/me) is open to every role, see SESSION_ROUTES' test
  "members/[userId]": { PATCH: manageMembers, DELETE: manageMembers },
  "playground/run": { POST: callModel },
  prompts: { GET: read, POST: editPrompt },
  "prompts/[id]": { GET: read, PATCH: editPrompt },
  "prompts/[id]/audit": { GET: read },
  "prompts/[id]/calls": { GET: read },
  "prompts/[id]/diff": { GET: read },
  "prompts/[id]/labels/[name]": { PUT: moveLabel, DELETE: moveLabel },
  "prompts/[id]/labels/[name]/readiness": { GET: read },
  "prompts/[id]/versions": { GET: read, POST: editPrompt },
  "prompts/[id]/versions/[versionId]": { GET: read },
  "prompts/preview": { POST: editPrompt },
  prunings: { POST: callModel },
  "prunings/[id]": { GET: read },
  "prunings/[id]/cancel": { POST: callModel },
  "prunings/draft": { POST: editPrompt },
  releases: { GET: read, POST: manageReleases },
  "releases/[id]": { GET: read },
  "releases/[id]/[action]": { POST: manageReleases },
  reviews: { GET: read, POST: review },
  "releases/[id]/shadow-comparison": { POST: editSuite },
  "reviews/[id]": { GET: read },
  "reviews/[id]/decision": { POST: review },
  "reviews/[id]/rerequest": { POST: review },
  "reviews/[id]/withdraw": { POST: review },
  "reviews/gate": { GET: read },
  "reviews/options": { GET: review },
  runs: { GET: read, POST: callModel },
  "runs/[id]": { GET: read },
  "runs/[id]/cancel": { POST: cancelRun },
  "runs/[id]/events": { GET: read },
  "runs/[id]/export": { GET: read },
  "runs/[id]/results": { GET: read },
  "share-links": { GET: shareLinks, POST: shareLinks },
  "share-links/[id]": { DELETE: shareLinks },
  "runs/[id]/resume": { POST: callModel },
  // a member closes their own "Start here" panel
  "start-here": { DELETE: read },
  suites: { GET: read, POST: editSuite },
  "suites/[id]": { GET: read, PATCH: editSuite, DELETE: editSuite },
  "suites/[id]/cases": { GET: read, POST: editSuite },
  "suites/[id]/cases/[caseId]": { PATCH: editSuite, DELETE: editSuite },
  "suites/[id]/export": { GET: read },
  "suites/[id]/import": { POST: editSuite },
  votes: { POST: vote },
  "votes/[id]": { DELETE: vote },
  "votes/next": { GET: vote },
  "votes/summary": { GET: read },
  "workspaces/current": { GET: read, PATCH: settings },
  "workspaces/current/protected-labels": { PUT: settings },
  "workspaces/current/share-policy": { PATCH: manageShareLinks },
  "workspaces/transfer": { POST: transfer },
};

/**
 * Routes any signed-in account may call, member of a workspace or not (issue #10): accepting an invitation, listing
 * and creating one's workspaces. Checked below: 401 signed out, and neither 401 nor 403 for an account of no workspace.
 */
const SESSION_ROUTES: Record<string, Method[]> = { "invitations/accept": ["POST"], workspaces: ["GET", "POST"] };

/** Concrete URLs a route pattern cannot express: the protected label needs more than label.move. */
const EXTRA: { method: Method; path: string; expected: Rule }[] = [
  { method: "PUT", path: "prompts/no-such-id/labels/production", expected: { rule: "label.moveProtected", allowed: ADMINS_UP } },
  { method: "DELETE", path: "prompts/no-such-id/labels/production", expected: { rule: "label.moveProtected", allowed: ADMINS_UP } },
];

// invitations/sign-up: a new person with an invitation link creates their account (the token is the credential);
// /api/s/<token>/… is opened by a share link's token, not a session: access.test.ts checks both.
const PUBLIC_ROUTES = new Set(["health", "auth/[...all]", "setup", "invitations/sign-up", ...Object.keys(SESSION_ROUTES)]);
// gateway/v1/…: applications call it with a gateway key (gateway-sdk.test.ts); a member's session opens nothing there.
const isPublic = (route: string) => PUBLIC_ROUTES.has(route) || route.startsWith("s/") || route.startsWith("gateway/");
const ROLES: readonly Role[] = ["owner", "admin", "editor", "viewer"];
const OUTSIDER = { name: "Olga Outsider", email: "outsider@assay.test" };
const PEOPLE: Record<Exclude<Role, "owner">, { name: string; email: string }> = {
  admin: { name: "Alan Admin", email: "admin@assay.test" },
  editor: { name: "Edith Editor", email: "editor@assay.test" },
  viewer: { name: "Victor Viewer", email: "viewer@assay.test" },
};

async function call(cookie: string, method: Method, url: string): Promise<{ status: number; message: string }> {
  const response = await fetch(url, {
    method,
    redirect: "manual",
    headers: { cookie, origin: appUrl, "content-type": "application/json" },
    ...(method === "GET" ? {} : { body: "{}" }),
  });
  // A live stream (the inbox's unread count) never ends on its own: its status is the answer, the body is let go.
  const streaming = response.ok && (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
  const text = streaming ? (await response.body?.cancel(), "") : await response.text();
  let message = "";
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? "";
  } catch {
    // Allowed calls may answer a stream or a download: only refusals need their message read.
  }
  return { status: response.status, message };
}

const cookies = new Map<Role | "outsider", string>();
let browser: Browser;
const contexts: BrowserContext[] = [];
let promptId: string;

beforeAll(async () => {
  await ensureOwner(appUrl);
  const { workspaceId } = await ownerWorkspace(db, OWNER.email);
  for (const [role, person] of Object.entries(PEOPLE) as [Exclude<Role, "owner">, { name: string; email: string }][]) {
    const userId = await createUser(db, person);
    await db.membership.create({ data: { workspaceId, userId, role } });
  }
  await createUser(db, OUTSIDER);
  cookies.set("owner", await signIn(appUrl, OWNER.email, OWNER.password));
  for (const [role, person] of Object.entries(PEOPLE) as [Exclude<Role, "owner">, { email: string }][]) cookies.set(role, await signIn(appUrl, person.email, PASSWORD));
  cookies.set("outsider", await signIn(appUrl, OUTSIDER.email, PASSWORD));
  const prompt = await db.prompt.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true } });
  if (!prompt) throw new Error("the workspace has no prompt; setup seeds the demo prompts");
  promptId = prompt.id;
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe("route crawl by role", () => {
  it("has a rule in the table for every route and method under app/api, and no rule for a route that is gone", async () => {
    const found = (await apiRoutes()).filter(({ route }) => !isPublic(route)).flatMap(({ route, methods }) => methods.map((method) => `${method} ${route}`));
    const listed = Object.entries(EXPECTED).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method} ${route}`));
    expect(found.filter((entry) => !listed.includes(entry)), "routes without a rule in EXPECTED").toEqual([]);
    expect(listed.filter((entry) => !found.includes(entry)), "rules for routes that do not exist").toEqual([]);
  });

  it("answers each role as the table says: allowed is neither 401 nor 403 nor a crash, denied is 403 naming the role", async () => {
    const targets = [
      ...Object.entries(EXPECTED).flatMap(([route, methods]) =>
        (Object.entries(methods) as [Method, Rule][]).map(([method, expected]) => ({ method, url: urlOf(appUrl, route), label: `${method} /api/${route}`, expected })),
      ),
      ...EXTRA.map(({ method, path, expected }) => ({ method, url: `${appUrl}/api/${path}`, label: `${method} /api/${path}`, expected })),
    ];
    const wrong: string[] = [];
    for (const { method, url, label, expected } of targets) {
      for (const role of ROLES) {
        const { status, message } = await call(cookies.get(role) as string, method, url);
        if (expected.allowed.includes(role)) {
          if (status === 401 || status === 403 || status >= 500) wrong.push(`${role} ${label} (${expected.rule}) → ${status} ${message}, expected allowed`);
        } else if (status !== 403 || !message.includes(`you are a${role === "admin" || role === "editor" ? "n" : ""} ${role}`)) {
          wrong.push(`${role} ${label} (${expected.rule}) → ${status} ${message}, expected 403 naming the role`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("refuses a signed-in account of no workspace with 403 on every route", async () => {
    const wrong: string[] = [];
    for (const [route, methods] of Object.entries(EXPECTED)) {
      for (const method of Object.keys(methods) as Method[]) {
        const { status, message } = await call(cookies.get("outsider") as string, method, urlOf(appUrl, route));
        if (status !== 403 || !message.includes("not a member of any workspace")) wrong.push(`${method} /api/${route} → ${status} ${message}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("lets a signed-in account of no workspace call the session routes, and refuses them signed out with 401", async () => {
    const wrong: string[] = [];
    for (const [route, methods] of Object.entries(SESSION_ROUTES)) {
      for (const method of methods) {
        const outsider = await call(cookies.get("outsider") as string, method, urlOf(appUrl, route));
        if (outsider.status === 401 || outsider.status === 403 || outsider.status >= 500) wrong.push(`outsider ${method} /api/${route} → ${outsider.status} ${outsider.message}`);
        const signedOut = await call("", method, urlOf(appUrl, route));
        if (signedOut.status !== 401) wrong.push(`signed out ${method} /api/${route} → ${signedOut.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("lets a viewer leave a workspace but not remove anyone else", async () => {
    const other = await call(cookies.get("viewer") as string, "DELETE", `${appUrl}/api/members/no-such-id`);
    expect(other).toEqual({ status: 403, message: "Admins and above can manage members; you are a viewer." });
  });

  it("tells a viewer who runs the playground what role it takes", async () => {
    const { status, message } = await call(cookies.get("viewer") as string, "POST", `${appUrl}/api/playground/run`);
    expect({ status, message }).toEqual({ status: 403, message: "Editors and above can run models; you are a viewer." });
  });

  it("lets an editor move staging but not production", async () => {
    const version = await db.promptVersion.findFirstOrThrow({ where: { promptId }, orderBy: { number: "desc" }, select: { id: true } });
    const move = (label: string) =>
      fetch(`${appUrl}/api/prompts/${promptId}/labels/${label}`, {
        method: "PUT",
        headers: { cookie: cookies.get("editor") as string, origin: appUrl, "content-type": "application/json" },
        body: JSON.stringify({ versionId: version.id }),
      });
    const production = await move("production");
    expect(production.status).toBe(403);
    expect(((await production.json()) as { error: { message: string } }).error.message).toBe(
      "Admins and above can move protected labels such as production; you are an editor.",
    );
    expect((await move("roles-crawl")).status).toBe(200);
    await db.promptLabel.deleteMany({ where: { promptId, name: "roles-crawl" } });
  });
});

/** A page signed in as `who`, opened at `path`; its context is closed after the file. */
async function openAs(who: Role | "outsider", path: string): Promise<Page> {
  const context = await contextWithCookie(browser, appUrl, cookies.get(who) as string);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

describe("pages by role", () => {
  it("shows a viewer the prompt without playground, preview or save, and fields disabled", async () => {
    const page = await openAs("viewer", `/prompts/${promptId}`);
    await page.locator('[data-testid="tab-versions"]').waitFor();
    expect(await page.locator('[data-testid="tab-playground"]').count()).toBe(0);
    expect(await page.locator('[data-testid="tab-preview"]').count()).toBe(0);
    expect(await page.locator('[data-testid="save-version"]').count()).toBe(0);
    expect(await page.locator('[data-testid="editor"] [data-testid="not-allowed"]').textContent()).toBe("Editors and above can edit prompts; you are a viewer.");
    expect(await page.locator('[data-testid="editor"] fieldset').first().getAttribute("disabled")).toBe("");
    expect(await page.locator('[data-testid="editor"] select').first().isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="message-editor-0"] .cm-content').getAttribute("aria-readonly")).toBe("true");
    await screenshot(page, "roles-viewer-prompt");
  });

  it("shows an editor the playground on the same prompt", async () => {
    const page = await openAs("editor", `/prompts/${promptId}`);
    await page.locator('[data-testid="tab-playground"]').waitFor();
    expect(await page.locator('[data-testid="save-version"]').count()).toBe(1);
  });

  it("gives a viewer no New run button, and the reason on the new-run page", async () => {
    const page = await openAs("viewer", "/runs");
    await page.locator("h1").first().waitFor();
    expect(await page.locator('[data-testid="new-run"]').count()).toBe(0);
    await page.goto("/runs/new");
    expect(await page.locator('[data-testid="not-allowed"]').textContent()).toBe("Editors and above can run models; you are a viewer.");
    await screenshot(page, "roles-viewer-new-run");
  });

  it("lists connections to an editor without add, test, edit or delete", async () => {
    const page = await openAs("editor", "/connections");
    await page.locator('[data-testid="connection-card"]').first().waitFor();
    expect(await page.locator('[data-testid="add-connection"]').count()).toBe(0);
    expect(await page.locator('[data-testid="card-test"]').count()).toBe(0);
    expect(await page.locator('[data-testid="connection-card"] button').count()).toBe(0);
    expect(await page.locator('[data-testid="not-allowed"]').textContent()).toBe("Admins and above can manage connections and their keys; you are an editor.");
    await screenshot(page, "roles-editor-connections");
  });

  it("sends an account of no workspace to a page that says so instead of back to sign-in", async () => {
    const page = await openAs("outsider", "/prompts");
    expect(new URL(page.url()).pathname).toBe("/no-workspace");
    expect(await page.locator('[data-testid="no-workspace"]').textContent()).toBe("Ask one of its admins to invite you; the invitation link adds you to it.");
  });
});
