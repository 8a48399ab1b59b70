import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "../support/app-error.ts";
import { seedComparison, type SeedVariant } from "../e2e/compare-seed.ts";

// Issue #10 "Share links": creation with the workspace's policy, the token stored hashed and shown once, list and
// revoke by maker or admin, why a token opens nothing, one view counted per page open, and the token-scoped reads
// limited to what was shared.

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const links = await import("../../lib/share-links/service.ts");
const content = await import("../../lib/share-links/content.ts");
const { hashShareToken } = await import("../../lib/share-links/token.ts");
const { errorBody } = await import("../../lib/errors.ts");
const prompts = await import("../../lib/prompts/service.ts");

const DAY_MS = 24 * 60 * 60 * 1000;
const VARIANTS: SeedVariant[] = [
  { label: "v1 terse", quality: 0.6, latency: 500, inputTokens: 80, examples: 0, counterexamples: 0 },
  { label: "v2 few-shot", quality: 0.7, latency: 450, inputTokens: 300, examples: 2, counterexamples: 1 },
  { label: "v3 strict", quality: 0.75, latency: 520, inputTokens: 320, examples: 2, counterexamples: 2 },
];

let workspaceId: string;
let otherWorkspaceId: string;
let makerId: string;
let adminId: string;
let versionId: string;
let seeded: { runId: string; variantIds: string[] };
let otherRun: { runId: string; variantIds: string[] };

const maker = () => ({ workspaceId, userId: makerId, canManage: false });
const admin = () => ({ workspaceId, userId: adminId, canManage: true });
const tokenOf = (url: string) => url.replace(/^\/s\//, "");

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  makerId = `maker-${suffix}`;
  adminId = `admin-${suffix}`;
  await db.user.createMany({
    data: [
      { id: makerId, name: "Mara Maker", email: `mara-${suffix}@example.com` },
      { id: adminId, name: "Ada Admin", email: `ada-${suffix}@example.com` },
    ],
  });
  workspaceId = (await db.workspace.create({ data: { name: "Sharing", slug: `sharing-${suffix}` } })).id;
  otherWorkspaceId = (await db.workspace.create({ data: { name: "Elsewhere", slug: `elsewhere-${suffix}` } })).id;
  const prompt = await prompts.createPrompt(workspaceId, makerId, { name: "Ticket router" });
  versionId = prompt.latest.id;
  seeded = await seedComparison(db, { workspaceId, name: "Shared run", cases: 30, variants: VARIANTS, seed: 3 });
  otherRun = await seedComparison(db, { workspaceId, name: "Not shared", cases: 10, variants: VARIANTS.slice(0, 2), seed: 4 });
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } });
  await db.user.deleteMany({ where: { id: { in: [makerId, adminId] } } });
});

describe("creating share links", () => {
  it("makes a link that expires in 14 days by default, stores only the token's SHA-256, and shows the token once", async () => {
    const before = Date.now();
    const created = await links.createShareLink(maker(), { resource: "version", id: versionId, scope: "workspace" });
    expect(created.url).toMatch(/^\/s\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(created.url);
    const expires = new Date(created.expiresAt).getTime();
    expect(expires - before).toBeGreaterThanOrEqual(14 * DAY_MS - 1000);
    expect(expires - before).toBeLessThanOrEqual(14 * DAY_MS + 60_000);
    const row = await db.shareLink.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ resource: "version", resourceId: versionId, scope: "workspace", createdById: makerId, viewCount: 0, revokedAt: null });
    expect(row.tokenHash).toBe(hashShareToken(token));
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    // Nowhere in the database: every column of every share link, as text.
    const dump = await db.$queryRaw<{ row: string }[]>`SELECT t::text AS row FROM "ShareLink" t`;
    expect(dump.map((entry) => entry.row).join("\n")).not.toContain(token);
    const listed = await links.listShareLinks(maker());
    expect(JSON.stringify(listed)).not.toContain(token);
  });

  it("takes an expiry up to the workspace maximum and refuses one beyond it, naming expiresInDays and storing nothing", async () => {
    await db.workspace.update({ where: { id: workspaceId }, data: { shareLinkMaxDays: 30 } });
    const longest = await links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "workspace", expiresInDays: 30 });
    expect(new Date(longest.expiresAt).getTime() - Date.now()).toBeGreaterThan(29.9 * DAY_MS);
    const count = await db.shareLink.count({ where: { workspaceId } });
    const error = await rejection(links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "workspace", expiresInDays: 31 }));
    expect(error.code).toBe("bad_request");
    expect(error.message).toBe("expiresInDays: at most 30 days in this workspace.");
    expect(await db.shareLink.count({ where: { workspaceId } })).toBe(count);
    // A maximum below 14 days makes the default the maximum.
    await db.workspace.update({ where: { id: workspaceId }, data: { shareLinkMaxDays: 7 } });
    const short = await links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "workspace" });
    expect(Math.round((new Date(short.expiresAt).getTime() - Date.now()) / DAY_MS)).toBe(7);
    await db.workspace.update({ where: { id: workspaceId }, data: { shareLinkMaxDays: 90 } });
  });

  it("refuses a link for anyone when the workspace forbids them (403 naming the scope), and allows it otherwise", async () => {
    await db.workspace.update({ where: { id: workspaceId }, data: { allowPublicLinks: false } });
    const count = await db.shareLink.count({ where: { workspaceId } });
    const error = await rejection(links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "anyone" }));
    expect(error.code).toBe("forbidden");
    expect(error.message).toMatch(/^scope: this workspace does not allow links for anyone/);
    expect(errorBody(error).error.details[0]?.path).toBe("scope");
    expect(await db.shareLink.count({ where: { workspaceId } })).toBe(count);
    await db.workspace.update({ where: { id: workspaceId }, data: { allowPublicLinks: true } });
    await expect(links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "anyone" })).resolves.toMatchObject({ url: expect.stringMatching(/^\/s\//) });
  });

  it("stores a comparison as the compare URL names it, baseline first, after checking its variants are in the workspace", async () => {
    const [a, b] = seeded.variantIds as [string, string];
    const created = await links.createShareLink(maker(), { resource: "comparison", id: ` ${b} , ${a} `, scope: "anyone" });
    expect((await db.shareLink.findUniqueOrThrow({ where: { id: created.id } })).resourceId).toBe(`${b},${a}`);
  });

  it("answers bad input with a message naming the field, and stores nothing", async () => {
    const count = await db.shareLink.count();
    const foreignRun = await db.run.create({ data: { workspaceId: otherWorkspaceId, name: "Theirs", status: "completed", config: {}, totalCells: 0 } });
    const cases: [unknown, string][] = [
      [{ resource: "suite", id: seeded.runId, scope: "anyone" }, 'resource: one of "version", "run" or "comparison"'],
      [{ resource: "run", id: "", scope: "anyone" }, "id: which version, run or comparison to share"],
      [{ resource: "run", id: seeded.runId, scope: "public" }, 'scope: "workspace" (members sign in) or "anyone" (anyone with the link)'],
      [{ resource: "run", id: seeded.runId, scope: "anyone", expiresInDays: 0 }, "expiresInDays: at least 1 day"],
      [{ resource: "run", id: seeded.runId, scope: "anyone", expiresInDays: 2.5 }, "expiresInDays: a whole number of days"],
      [{ resource: "run", id: seeded.runId, scope: "anyone", extra: true }, 'Unrecognized key: "extra"'],
      [{ resource: "run", id: "no-such-run", scope: "anyone" }, "id: no such run in this workspace."],
      [{ resource: "run", id: foreignRun.id, scope: "anyone" }, "id: no such run in this workspace."],
      [{ resource: "version", id: "no-such-version", scope: "anyone" }, "id: no such prompt version in this workspace."],
      [{ resource: "comparison", id: seeded.variantIds[0], scope: "anyone" }, 'id: choose at least two variants to compare (a comparison is named by its variants, "baseline,other").'],
      [{ resource: "comparison", id: `${seeded.variantIds[0]},no-such-variant`, scope: "anyone" }, 'No variant "no-such-variant" in this workspace.'],
    ];
    for (const [input, message] of cases) {
      let caught: unknown;
      try {
        await links.createShareLink(maker(), input as never);
      } catch (error) {
        caught = error;
      }
      expect(errorBody(caught).error.message, JSON.stringify(input)).toBe(message);
    }
    expect(await db.shareLink.count()).toBe(count);
  });
});

describe("listing and revoking", () => {
  it("lists a member's own links with title, views and state, and every link for an admin", async () => {
    const own = await links.createShareLink(admin(), { resource: "version", id: versionId, scope: "anyone" });
    const mine = await links.listShareLinks(maker());
    expect(mine.every((link) => link.createdBy?.id === makerId)).toBe(true);
    expect(mine.find((link) => link.id === own.id)).toBeUndefined();
    const all = await links.listShareLinks(admin());
    expect(all.length).toBe(mine.length + 1);
    expect(all.find((link) => link.id === own.id)).toMatchObject({
      resource: "version",
      title: "Ticket router v1",
      scope: "anyone",
      createdBy: { id: adminId, name: "Ada Admin" },
      viewCount: 0,
      lastViewedAt: null,
      state: "active",
    });
    const comparison = all.find((link) => link.resource === "comparison");
    expect(comparison?.title).toBe("v2 few-shot vs v1 terse");
  });

  it("lets the maker and an admin revoke, and refuses another member", async () => {
    const created = await links.createShareLink(admin(), { resource: "run", id: seeded.runId, scope: "anyone" });
    const error = await rejection(links.revokeShareLink(maker(), created.id));
    expect(error.code).toBe("forbidden");
    expect(error.message).toBe("You can revoke only the links you made; admins and owners can revoke any.");
    expect((await db.shareLink.findUniqueOrThrow({ where: { id: created.id } })).revokedAt).toBeNull();

    const makers = await links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "anyone" });
    await links.revokeShareLink(maker(), makers.id);
    await links.revokeShareLink(admin(), created.id);
    const states = (await links.listShareLinks(admin())).filter((link) => [created.id, makers.id].includes(link.id)).map((link) => link.state);
    expect(states).toEqual(["revoked", "revoked"]);
    expect((await rejection(links.revokeShareLink({ ...admin(), workspaceId: otherWorkspaceId }, created.id))).code).toBe("not_found");
  });
});

describe("resolving a token", () => {
  it("opens an active link, and says revoked, expired or unknown otherwise", async () => {
    const created = await links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "anyone" });
    const token = tokenOf(created.url);
    const open = await links.resolveShareLink(token);
    expect(open).toMatchObject({ ok: true, link: { id: created.id, resource: "run", resourceId: seeded.runId }, workspace: { id: workspaceId, name: "Sharing" } });
    expect(JSON.stringify(open)).not.toContain("tokenHash");

    const expired = await links.resolveShareLink(token, new Date(Date.now() + 15 * DAY_MS));
    expect(expired).toMatchObject({ ok: false, reason: "expired" });

    await links.revokeShareLink(maker(), created.id);
    expect(await links.resolveShareLink(token)).toMatchObject({ ok: false, reason: "revoked" });
    expect(await links.resolveShareLink(`${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`)).toEqual({ ok: false, reason: "unknown" });
    expect(await links.resolveShareLink("short")).toEqual({ ok: false, reason: "unknown" });
  });

  it("counts each view with one increment, concurrent views included", async () => {
    const created = await links.createShareLink(maker(), { resource: "version", id: versionId, scope: "anyone" });
    await Promise.all(Array.from({ length: 12 }, () => links.recordShareView(created.id)));
    const row = await db.shareLink.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.viewCount).toBe(12);
    expect(row.lastViewedAt).toBeInstanceOf(Date);
    const listed = (await links.listShareLinks(maker())).find((link) => link.id === created.id);
    expect(listed).toMatchObject({ viewCount: 12, lastViewedAt: row.lastViewedAt?.toISOString() });
  });
});

describe("what a shared comparison or run serves", () => {
  it("serves the shared comparison's cases, outputs and search, and 404s a variant or case outside it", async () => {
    const [a, b, c] = seeded.variantIds as [string, string, string];
    const created = await links.createShareLink(maker(), { resource: "comparison", id: `${a},${b}`, scope: "anyone" });
    const resolved = await links.resolveShareLink(tokenOf(created.url));
    if (!resolved.ok) throw new Error("the link should open");
    const link = resolved.link;

    const comparison = await content.sharedComparison(link);
    expect(comparison.variants.map((variant) => variant.id)).toEqual([a, b]);
    const key = comparison.cases.keys[0] as string;
    const detail = await content.sharedCaseDetail(link, { variants: `${a},${b}`, key });
    expect(detail.key).toBe(key);
    expect(detail.results.map((entry) => entry.variantId)).toEqual([a, b]);
    expect(Object.keys(await content.sharedOutputs(link, { variants: [a, b], keys: [key] }))).toEqual([a, b]);
    expect((await content.sharedSearch(link, { variants: `${a},${b}`, q: key })).keys).toContain(key);

    // The third variant of the same run is not part of this link; nor is a case of another run's suite.
    const outside = await rejection(content.sharedCaseDetail(link, { variants: `${a},${c}`, key }));
    expect({ code: outside.code, message: outside.message }).toEqual({ code: "not_found", message: `Variant "${c}" is not part of this shared link.` });
    expect((await rejection(content.sharedOutputs(link, { variants: [c], keys: [key] }))).code).toBe("not_found");
    expect((await rejection(content.sharedSearch(link, { variants: `${otherRun.variantIds[0]},${a}`, q: "x" }))).code).toBe("not_found");
    // A case of the same workspace that the shared variants never ran: members can open it, the link cannot.
    const otherSuite = await db.run.findUniqueOrThrow({ where: { id: otherRun.runId }, select: { suiteId: true } });
    const foreignCase = await db.case.create({ data: { suiteId: otherSuite.suiteId as string, position: 99, key: "only-in-the-other-run", variables: { ticket: "x" } } });
    await db.result.create({ data: { runId: otherRun.runId, variantId: otherRun.variantIds[0] as string, caseId: foreignCase.id, repeat: 0, output: "billing", pass: true } });
    const { getCaseDetail } = await import("../../lib/compare/service.ts");
    await expect(getCaseDetail(workspaceId, otherRun.variantIds, foreignCase.key)).resolves.toMatchObject({ key: foreignCase.key });
    const foreign = await rejection(content.sharedCaseDetail(link, { variants: `${a},${b}`, key: foreignCase.key }));
    expect(foreign.code).toBe("not_found");
    // A comparison link serves no run, and the other way round.
    expect((await rejection(content.sharedRun(link, seeded.runId))).code).toBe("not_found");
  });

  it("serves the shared run and its results, without its queue name, and 404s another run", async () => {
    const created = await links.createShareLink(maker(), { resource: "run", id: seeded.runId, scope: "anyone" });
    const resolved = await links.resolveShareLink(tokenOf(created.url));
    if (!resolved.ok) throw new Error("the link should open");
    const run = await content.sharedRun(resolved.link, seeded.runId);
    expect(run.id).toBe(seeded.runId);
    expect(run.config).not.toHaveProperty("queue");
    const page = await content.sharedResults(resolved.link, seeded.runId, { limit: "5" });
    expect(page.total).toBe(30);
    expect(page.rows).toHaveLength(5);
    expect((await rejection(content.sharedResults(resolved.link, otherRun.runId, {}))).message).toBe("This run is not part of this shared link.");
    expect((await rejection(content.sharedCaseDetail(resolved.link, { variants: seeded.variantIds.slice(0, 2).join(","), key: "ticket-00001" }))).code).toBe("not_found");
  });

  it("shows a shared version's content with the author's name and no email", async () => {
    const created = await links.createShareLink(maker(), { resource: "version", id: versionId, scope: "anyone" });
    const resolved = await links.resolveShareLink(tokenOf(created.url));
    if (!resolved.ok) throw new Error("the link should open");
    const version = await content.sharedVersion(resolved.link);
    expect(version).toMatchObject({ promptName: "Ticket router", number: 1, authorName: "Mara Maker" });
    expect(version.messages.at(-1)).toEqual({ role: "user", content: "{{ input }}" });
    expect(JSON.stringify(version)).not.toContain("@example.com");
  });
});
