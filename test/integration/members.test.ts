import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "../support/app-error.ts";

// Issue #10 "Members and workspaces": invitations (single use, expiry, revoke, resend, mail), roles, the last owner,
// ownership transfer, workspaces of one's own. Real PostgreSQL; a real SMTP server on a free port for the mail.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const { errorBody, httpStatusOf } = await import("../../lib/errors.ts");
const invitations = await import("../../lib/invitations/service.ts");
const { signUpWithInvitation } = await import("../../lib/invitations/sign-up.ts");
const { createInvitationHandler } = await import("../../lib/invitations/handlers.ts");
const { hashInvitationToken } = await import("../../lib/invitations/token.ts");
const { invitationPage } = await import("../../lib/invitations/page-state.ts");
const members = await import("../../lib/members/service.ts");
const { changeRoleHandler } = await import("../../lib/members/handlers.ts");
const { createWorkspace, listMyWorkspaces } = await import("../../lib/workspaces/create.ts");
const { setProtectedLabelsHandler, setSharePolicyHandler } = await import("../../lib/workspaces/handlers.ts");
const { workspaceSettings } = await import("../../lib/workspaces/settings.ts");
const { smtpMailer, noMailer } = await import("../../lib/mail/mailer.ts");

type Role = "owner" | "admin" | "editor" | "viewer";
interface TestMember {
  user: { id: string; name: string; email: string };
  workspace: { id: string; name: string; slug: string };
  role: Role;
}

const suffix = randomUUID().slice(0, 8);
const BASE = "https://assay.example.test";
const options = { baseUrl: BASE, mailer: noMailer };
let workspace: TestMember["workspace"];
const userIds: string[] = [];
const workspaceIds: string[] = [];

async function person(name: string): Promise<TestMember["user"]> {
  const id = `user-${randomUUID()}`;
  const email = `${name.toLowerCase().replace(/\W+/g, "-")}-${suffix}@assay.test`;
  await db.user.create({ data: { id, name, email } });
  userIds.push(id);
  return { id, name, email };
}

async function join(user: TestMember["user"], role: Role, into = workspace): Promise<TestMember> {
  await db.membership.create({ data: { workspaceId: into.id, userId: user.id, role } });
  return { user, workspace: into, role };
}

async function newWorkspace(name: string): Promise<TestMember["workspace"]> {
  const row = await db.workspace.create({ data: { name, slug: `${name.toLowerCase().replace(/\W+/g, "-")}-${randomUUID().slice(0, 8)}` } });
  workspaceIds.push(row.id);
  return { id: row.id, name: row.name, slug: row.slug };
}

function tokenOf(url: string): string {
  const token = url.split("/invite/")[1];
  if (!token) throw new Error(`not an invitation URL: ${url}`);
  return token;
}

/** The status and message a route would answer for what the call threw. */
async function answer(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
    return { status: 200, message: "" };
  } catch (error) {
    return { status: httpStatusOf(error), message: errorBody(error).error.message };
  }
}

function jsonRequest(body: unknown): Request {
  return new Request(`${BASE}/api/x`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

let owner: TestMember;
let admin: TestMember;

beforeAll(async () => {
  workspace = await newWorkspace("Members Co");
  owner = await join(await person("Olive Owner"), "owner");
  admin = await join(await person("Adam Admin"), "admin");
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: { in: workspaceIds } } });
  await db.user.deleteMany({ where: { id: { in: userIds } } });
});

describe("invitations", () => {
  it("creates a pending invitation with a 256-bit token whose SHA-256 alone is stored, expiring in 7 days", async () => {
    const now = new Date("2026-12-01T10:00:00Z");
    const issued = await invitations.createInvitation(admin, { email: `new-${suffix}@assay.test`, role: "editor" }, { ...options, now });
    const token = tokenOf(issued.url);
    expect(issued.url).toBe(`${BASE}/invite/${token}`);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const row = await db.invitation.findUniqueOrThrow({ where: { id: issued.id } });
    expect(row.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.toISOString()).toBe("2026-12-08T10:00:00.000Z");
    expect(issued.mail).toEqual({ status: "off" });
    const pending = await invitations.listPendingInvitations(workspace.id, now);
    expect(pending.find((invitation) => invitation.id === issued.id)).toMatchObject({ email: `new-${suffix}@assay.test`, role: "editor", expired: false, invitedBy: { name: "Adam Admin" } });
    await invitations.revokeInvitation(workspace.id, issued.id);
  });

  it("is single use: a new person signs up and joins with the invited role, a second use is refused and stores nothing", async () => {
    const email = `newcomer-${suffix}@assay.test`;
    const issued = await invitations.createInvitation(owner, { email, role: "viewer" }, options);
    const { joined, cookies } = await signUpWithInvitation({ token: tokenOf(issued.url), name: "Nina Newcomer", password: "a long password" });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    userIds.push(user.id);
    expect(joined).toMatchObject({ workspace: { id: workspace.id }, role: "viewer", alreadyMember: false });
    expect(cookies.some((cookie) => cookie.includes("session_token"))).toBe(true);
    expect((await db.membership.findUniqueOrThrow({ where: { workspaceId_userId: { workspaceId: workspace.id, userId: user.id } } })).role).toBe("viewer");
    const event = await db.activityEvent.findFirstOrThrow({ where: { workspaceId: workspace.id, kind: "member.joined", actorId: user.id } });
    expect(event.data).toMatchObject({ role: "viewer", invitationId: issued.id, email });

    const other = await person("Second User");
    const second = await answer(invitations.acceptInvitation(tokenOf(issued.url), other));
    expect(second).toEqual({ status: 409, message: "This invitation has already been used. Ask the workspace admin for a new one if you still need access." });
    expect(await db.membership.count({ where: { workspaceId: workspace.id, userId: other.id } })).toBe(0);
    const usersBefore = await db.user.count();
    const signUpAgain = await answer(signUpWithInvitation({ token: tokenOf(issued.url), name: "Again", password: "a long password" }));
    expect(signUpAgain.status).toBe(409);
    expect(await db.user.count()).toBe(usersBefore);
  });

  it("two accepts of one link at the same moment give one member and one 'already used'", async () => {
    const issued = await invitations.createInvitation(owner, { email: `race-${suffix}@assay.test`, role: "editor" }, options);
    const [first, second] = [await person("Racer One"), await person("Racer Two")];
    const results = await Promise.all([first, second].map((user) => answer(invitations.acceptInvitation(tokenOf(issued.url), user))));
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
    expect(results.find((result) => result.status === 409)?.message).toContain("already been used");
    expect(await db.membership.count({ where: { workspaceId: workspace.id, userId: { in: [first.id, second.id] } } })).toBe(1);
    expect(await db.activityEvent.count({ where: { workspaceId: workspace.id, kind: "member.joined", data: { path: ["invitationId"], equals: issued.id } } })).toBe(1);
  });

  it("refuses an expired invitation, saying when it expired, and adds no member", async () => {
    const issued = await invitations.createInvitation(owner, { email: `late-${suffix}@assay.test`, role: "editor" }, options);
    await db.invitation.update({ where: { id: issued.id }, data: { expiresAt: new Date("2026-11-01T00:00:00Z") } });
    const late = await person("Late Larry");
    expect(await answer(invitations.acceptInvitation(tokenOf(issued.url), late))).toEqual({
      status: 409,
      message: "This invitation expired on Sun, 01 Nov 2026 00:00:00 GMT. Ask the workspace admin to resend it.",
    });
    expect((await invitations.inspectInvitation(tokenOf(issued.url))).state).toBe("expired");
    expect(await db.membership.count({ where: { userId: late.id } })).toBe(0);
    const usersBefore = await db.user.count();
    expect((await answer(signUpWithInvitation({ token: tokenOf(issued.url), name: "Late", password: "a long password" }))).status).toBe(409);
    expect(await db.user.count()).toBe(usersBefore);
  });

  it("refuses a revoked invitation and drops it from the pending list", async () => {
    const issued = await invitations.createInvitation(owner, { email: `revoked-${suffix}@assay.test`, role: "editor" }, options);
    await invitations.revokeInvitation(workspace.id, issued.id);
    const user = await person("Revoked Rita");
    expect(await answer(invitations.acceptInvitation(tokenOf(issued.url), user))).toEqual({
      status: 409,
      message: "This invitation was revoked by a workspace admin. Ask them for a new one if you still need access.",
    });
    expect((await invitations.listPendingInvitations(workspace.id)).map((invitation) => invitation.id)).not.toContain(issued.id);
    expect(await db.membership.count({ where: { userId: user.id } })).toBe(0);
  });

  it("resend issues a new link and a new 7-day expiry; the old link stops working", async () => {
    const issued = await invitations.createInvitation(owner, { email: `resend-${suffix}@assay.test`, role: "admin" }, options);
    await db.invitation.update({ where: { id: issued.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const now = new Date("2026-12-02T09:30:00Z");
    const resent = await invitations.resendInvitation(owner, issued.id, { ...options, now });
    expect(resent.id).toBe(issued.id);
    expect(resent.url).not.toBe(issued.url);
    expect(resent.expiresAt).toBe("2026-12-09T09:30:00.000Z");
    const user = await person("Resent Ron");
    expect((await answer(invitations.acceptInvitation(tokenOf(issued.url), user))).message).toBe(
      "This invitation link is not valid. Check that it was copied whole, or ask for a new one.",
    );
    const joined = await invitations.acceptInvitation(tokenOf(resent.url), user, new Date("2026-12-03T00:00:00Z"));
    expect(joined).toMatchObject({ role: "admin", alreadyMember: false });
  });

  it("an admin cannot invite an owner (only owners grant owner); an owner can", async () => {
    const before = await db.invitation.count({ where: { workspaceId: workspace.id } });
    expect(await answer(invitations.createInvitation(admin, { email: `boss-${suffix}@assay.test`, role: "owner" }, options))).toEqual({
      status: 403,
      message: "Only owners can invite an owner; you are an admin.",
    });
    expect(await db.invitation.count({ where: { workspaceId: workspace.id } })).toBe(before);
    const issued = await invitations.createInvitation(owner, { email: `boss-${suffix}@assay.test`, role: "owner" }, options);
    expect(issued.role).toBe("owner");
    expect((await answer(invitations.resendInvitation(admin, issued.id, options))).status).toBe(403);
    await invitations.revokeInvitation(workspace.id, issued.id);
  });

  it("bad input names the field and stores nothing: a bad email, an unknown role, a member's own email", async () => {
    const before = await db.invitation.count();
    const call = (body: unknown) => answer(createInvitationHandler({ request: jsonRequest(body), member: owner, params: {} }));
    expect(await call({ email: "not-an-email", role: "editor" })).toEqual({ status: 400, message: "email: Enter a valid email address" });
    expect(await call({ email: `x-${suffix}@assay.test`, role: "superuser" })).toEqual({ status: 400, message: "role: Choose one of owner, admin, editor, viewer" });
    expect(await call({ role: "editor" })).toEqual({ status: 400, message: "email: Enter an email address" });
    expect(await call({ email: admin.user.email, role: "viewer" })).toEqual({ status: 409, message: `${admin.user.email} is already a member of this workspace (admin).` });
    expect(await db.invitation.count()).toBe(before);
  });

  it("an account already a member just opens the workspace, and the invitation stays open", async () => {
    const issued = await invitations.createInvitation(owner, { email: `member-again-${suffix}@assay.test`, role: "viewer" }, options);
    const joined = await invitations.acceptInvitation(tokenOf(issued.url), admin.user);
    expect(joined).toEqual({ workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug }, role: "admin", alreadyMember: true });
    expect((await db.invitation.findUniqueOrThrow({ where: { id: issued.id } })).acceptedAt).toBeNull();
    await invitations.revokeInvitation(workspace.id, issued.id);
  });

  it("the invitation page offers sign-up for a new address, sign-in for an existing account, and says why a closed link is closed", async () => {
    const signedOut = new Headers();
    const fresh = await invitations.createInvitation(owner, { email: `page-new-${suffix}@assay.test`, role: "editor" }, options);
    expect(await invitationPage(tokenOf(fresh.url), signedOut)).toMatchObject({ kind: "sign-up", invitation: { workspace: { name: "Members Co" }, inviterName: "Olive Owner", role: "editor" } });
    const known = await person("Known Kim");
    const forKnown = await invitations.createInvitation(owner, { email: known.email, role: "viewer" }, options);
    expect((await invitationPage(tokenOf(forKnown.url), signedOut)).kind).toBe("sign-in");
    await invitations.revokeInvitation(workspace.id, forKnown.id);
    expect(await invitationPage(tokenOf(forKnown.url), signedOut)).toMatchObject({ kind: "closed", invitation: { state: "revoked" } });
    expect(await invitationPage("B".repeat(43), signedOut)).toEqual({
      kind: "invalid",
      message: "This invitation link is not valid. Check that it was copied whole, or ask for a new one.",
    });
    await invitations.revokeInvitation(workspace.id, fresh.id);
  });

  it("an unknown token is a 404 that says the link is not valid", async () => {
    expect(await answer(invitations.inspectInvitation("A".repeat(43)))).toEqual({
      status: 404,
      message: "This invitation link is not valid. Check that it was copied whole, or ask for a new one.",
    });
  });
});

describe("invitation mail", () => {
  let server: SMTPServer;
  let port: number;
  const received: { to: string[]; raw: string }[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        let raw = "";
        stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
        stream.on("end", () => {
          received.push({ to: session.envelope.rcptTo.map((address) => address.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("sends the invitation to the invited address with the link, in text and HTML, and records when", async () => {
    const email = `mailed-${suffix}@assay.test`;
    const mailer = smtpMailer(`smtp://127.0.0.1:${port}`, "Assay <assay@assay.test>");
    const issued = await invitations.createInvitation(owner, { email, role: "editor" }, { baseUrl: BASE, mailer });
    expect(issued.mail).toEqual({ status: "sent" });
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual([email]);
    const raw = (received[0]?.raw ?? "").replace(/=\r?\n/g, "");
    expect(raw).toContain(`To: ${email}`);
    expect(raw).toContain("Subject: Olive Owner invited you to Members Co on Assay");
    expect(raw).toContain("Content-Type: text/plain");
    expect(raw).toContain("Content-Type: text/html");
    expect(raw).toContain(issued.url);
    expect(issued.lastSentAt).not.toBeNull();

    const resent = await invitations.resendInvitation(owner, issued.id, { baseUrl: BASE, mailer });
    expect(received).toHaveLength(2);
    expect((received[1]?.raw ?? "").replace(/=\r?\n/g, "")).toContain(resent.url);
  });

  it("a mail server that cannot be reached is reported with its reason; the invitation and its link exist anyway", async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const issued = await invitations.createInvitation(owner, { email: `unmailed-${suffix}@assay.test`, role: "viewer" }, {
      baseUrl: BASE,
      mailer: smtpMailer(`smtp://127.0.0.1:${closedPort}`, "Assay <assay@assay.test>"),
    });
    expect(issued.mail.status).toBe("failed");
    expect(issued.mail.status === "failed" && issued.mail.error).toContain("ECONNREFUSED");
    expect(issued.url).toMatch(/^https:\/\/assay\.example\.test\/invite\/[\w-]{43}$/);
    expect(await db.invitation.findUnique({ where: { id: issued.id } })).not.toBeNull();
  });
});

describe("members and owners", () => {
  it("lists members with name, email, role, joined and last active", async () => {
    const list = await members.listMembers(workspace.id);
    expect(list.slice(0, 2).map(({ name, role }) => ({ name, role }))).toEqual([
      { name: "Olive Owner", role: "owner" },
      { name: "Adam Admin", role: "admin" },
    ]);
    expect(list[0]).toHaveProperty("joinedAt");
    expect(list[0]).toHaveProperty("lastActiveAt");
  });

  it("the last owner can be neither demoted, nor removed, nor leave (409 with the reason), and stays owner", async () => {
    const solo = await newWorkspace("Solo");
    const only = await join(await person("Only Owner"), "owner", solo);
    const helper = await join(await person("Solo Admin"), "admin", solo);
    expect(await answer(members.changeRole(only, only.user.id, "admin"))).toEqual({
      status: 409,
      message: "Only Owner is the last owner and cannot be demoted: a workspace needs at least one owner. Make another member owner first (or transfer ownership).",
    });
    expect(await answer(members.removeMember(only, only.user.id))).toEqual({
      status: 409,
      message: "You are the last owner and cannot leave: a workspace needs at least one owner. Make another member owner first (or transfer ownership).",
    });
    expect(await answer(members.removeMember(helper, only.user.id))).toEqual({ status: 403, message: "Only owners can remove an owner; you are an admin." });
    expect(await answer(members.changeRole(helper, only.user.id, "viewer"))).toEqual({ status: 403, message: "Only owners can change an owner's role; you are an admin." });
    expect((await members.listMembers(solo.id)).map(({ name, role }) => ({ name, role }))).toEqual([
      { name: "Only Owner", role: "owner" },
      { name: "Solo Admin", role: "admin" },
    ]);
  });

  it("two owners demoting each other at the same moment leave exactly one owner", async () => {
    const pair = await newWorkspace("Pair");
    const first = await join(await person("Pair One"), "owner", pair);
    const second = await join(await person("Pair Two"), "owner", pair);
    const results = await Promise.all([answer(members.changeRole(first, second.user.id, "admin")), answer(members.changeRole(second, first.user.id, "admin"))]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
    expect(await db.membership.count({ where: { workspaceId: pair.id, role: "owner" } })).toBe(1);
  });

  it("an admin changes an editor to viewer and removes them; a member can leave; changes are in the activity log", async () => {
    const editor = await join(await person("Eddie Editor"), "editor");
    const changed = await members.changeRole(admin, editor.user.id, "viewer");
    expect(changed.role).toBe("viewer");
    expect(await answer(members.changeRole(admin, editor.user.id, "owner"))).toEqual({ status: 403, message: "Only owners can make someone an owner; you are an admin." });
    const viewer = { ...editor, role: "viewer" as const };
    expect(await answer(members.removeMember(viewer, admin.user.id))).toEqual({ status: 403, message: "Admins and above can manage members; you are a viewer." });
    expect(await members.removeMember(viewer, viewer.user.id)).toEqual({ left: true });
    expect(await db.membership.count({ where: { workspaceId: workspace.id, userId: editor.user.id } })).toBe(0);
    const kinds = (await db.activityEvent.findMany({ where: { workspaceId: workspace.id, data: { path: ["userId"], equals: editor.user.id } }, orderBy: { createdAt: "asc" } })).map(
      (event) => event.kind,
    );
    expect(kinds).toEqual(["member.role_changed", "member.removed"]);
  });

  it("an unknown role in PATCH is a 400 naming role, and nothing changes", async () => {
    const editor = await join(await person("Role Typo"), "editor");
    expect(await answer(changeRoleHandler({ request: jsonRequest({ role: "boss" }), member: owner, params: { userId: editor.user.id } }))).toEqual({
      status: 400,
      message: "role: Choose one of owner, admin, editor, viewer",
    });
    expect((await db.membership.findFirstOrThrow({ where: { workspaceId: workspace.id, userId: editor.user.id } })).role).toBe("editor");
  });

  it("transfers ownership: the other becomes owner, the old owner admin; only an owner can, and not to themself", async () => {
    const place = await newWorkspace("Handover");
    const from = await join(await person("Old Owner"), "owner", place);
    const to = await join(await person("New Owner"), "editor", place);
    expect((await answer(members.transferOwnership(to, from.user.id))).status).toBe(403);
    expect(await answer(members.transferOwnership(from, from.user.id))).toEqual({ status: 400, message: "Choose another member: you are an owner already." });
    const result = await members.transferOwnership(from, to.user.id);
    expect(result.owner).toMatchObject({ name: "New Owner", role: "owner" });
    expect(result.previousOwner).toMatchObject({ name: "Old Owner", role: "admin" });
    expect((await db.activityEvent.findFirstOrThrow({ where: { workspaceId: place.id, kind: "ownership.transferred" } })).data).toMatchObject({ toUserId: to.user.id });
  });
});

describe("workspaces", () => {
  it("creates a workspace owned by its creator with a unique slug that is never a reserved one, and lists mine with my role", async () => {
    const creator = await person("Creative Carla");
    const first = await createWorkspace(creator.id, { name: `Lab ${suffix}` });
    const second = await createWorkspace(creator.id, { name: `Lab ${suffix}` });
    const reserved = await createWorkspace(creator.id, { name: "New" });
    workspaceIds.push(first.id, second.id, reserved.id);
    expect(first.slug).toBe(`lab-${suffix}`);
    expect(second.slug).toBe(`lab-${suffix}-2`);
    expect(reserved.slug).not.toBe("new");
    expect(reserved.slug).toMatch(/^new-\d+$/);
    await join(creator, "viewer");
    expect((await listMyWorkspaces(creator.id)).map(({ name, role }) => ({ name, role }))).toEqual([
      { name: `Lab ${suffix}`, role: "owner" },
      { name: `Lab ${suffix}`, role: "owner" },
      { name: "New", role: "owner" },
      { name: "Members Co", role: "viewer" },
    ]);
    expect(await db.connection.count({ where: { workspaceId: first.id, kind: "local" } })).toBe(1);
  });

  it("sets protected labels with approvals 1–10 and refuses bad ones naming the field, changing nothing", async () => {
    const call = (labels: unknown) => answer(setProtectedLabelsHandler({ request: jsonRequest({ labels }), member: owner, params: {} }));
    expect(await call([{ name: "production", approvals: 2 }, { name: "canary", approvals: 1 }])).toEqual({ status: 200, message: "" });
    expect(await call([{ name: "Production!", approvals: 1 }])).toEqual({ status: 400, message: "labels.0.name: A label holds lowercase letters, digits, - and _" });
    expect(await call([{ name: "production", approvals: 11 }])).toEqual({ status: 400, message: "labels.0.approvals: At most 10 approvals" });
    expect(await call([{ name: "production", approvals: 0 }])).toEqual({ status: 400, message: "labels.0.approvals: At least 1 approval (the author's own never counts)" });
    expect(await call([{ name: "canary", approvals: 1 }, { name: "canary", approvals: 2 }])).toEqual({ status: 400, message: 'labels.1.name: "canary" is listed twice' });
    expect((await workspaceSettings(workspace.id)).protectedLabels).toEqual([
      { name: "production", approvals: 2 },
      { name: "canary", approvals: 1 },
    ]);
  });

  it("sets the share-link policy within 1–365 days", async () => {
    const call = (body: unknown) => answer(setSharePolicyHandler({ request: jsonRequest(body), member: admin, params: {} }));
    expect(await call({ shareLinkMaxDays: 30, allowPublicLinks: false })).toEqual({ status: 200, message: "" });
    expect(await call({ shareLinkMaxDays: 400 })).toEqual({ status: 400, message: "shareLinkMaxDays: At most 365 days" });
    expect(await call({})).toEqual({ status: 400, message: "Send shareLinkMaxDays, allowPublicLinks or both" });
    expect(await workspaceSettings(workspace.id)).toMatchObject({ shareLinkMaxDays: 30, allowPublicLinks: false });
  });
});
