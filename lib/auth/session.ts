import { cache } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppError } from "../errors.ts";
import { db } from "../db.ts";
import { getAuth } from "./auth.ts";
import { isRole, type Role } from "./permissions.ts";
import { CURRENT_WORKSPACE, LAST_WORKSPACE_COOKIE, PAGE_PATH_HEADER, WORKSPACE_HEADER } from "../workspaces/paths.ts";
import { safeNextPath } from "./safe-next-path.ts";

export interface Member {
  user: { id: string; name: string; email: string };
  workspace: { id: string; name: string; slug: string };
  role: Role;
}

/**
 * Who is asking: a member, or why not — signed out (401), signed in without any workspace (403), and signed in but
 * not a member of the workspace the URL names (403, with its slug) differ.
 */
export type MemberLookup =
  | { member: Member }
  | { member: null; reason: "signed-out" | "no-membership" }
  | { member: null; reason: "not-member"; slug: string };

/** Last-active is written at most this often per member: one write per request would cost an fsync each. */
const ACTIVE_EVERY_MS = 5 * 60_000;

export async function hasAnyUser(): Promise<boolean> {
  return (await db.user.count()) > 0;
}

function cookieValue(requestHeaders: Headers, name: string): string | null {
  for (const part of (requestHeaders.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) {
      try {
        return decodeURIComponent(rest.join("="));
      } catch {
        // a cookie mangled by hand names no workspace; the oldest membership is used instead
        return null;
      }
    }
  }
  return null;
}

const membershipInclude = { workspace: { select: { id: true, name: true, slug: true } } } as const;

async function findMembership(userId: string, requestHeaders: Headers) {
  const named = requestHeaders.get(WORKSPACE_HEADER);
  if (named && named !== CURRENT_WORKSPACE) {
    const membership = await db.membership.findFirst({ where: { userId, workspace: { slug: named } }, include: membershipInclude });
    // A URL naming a workspace I am not in says so; it never silently opens another one.
    return membership ?? { missing: named };
  }
  const remembered = cookieValue(requestHeaders, LAST_WORKSPACE_COOKIE);
  if (remembered) {
    const membership = await db.membership.findFirst({ where: { userId, workspace: { slug: remembered } }, include: membershipInclude });
    if (membership) return membership;
  }
  // No workspace named: the oldest membership, with the id as tie-break so the answer is the same on every request.
  return db.membership.findFirst({ where: { userId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], include: membershipInclude });
}

/**
 * The signed-in user's membership in the workspace the request names (header x-assay-workspace, which proxy.ts sets
 * from /w/<slug>/… page URLs and api() sends), else the last one opened (cookie), else the oldest. Read on every
 * request (not from the session cookie's cache), so a changed role or a removed member takes effect at once.
 */
export async function lookupMember(requestHeaders: Headers): Promise<MemberLookup> {
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return { member: null, reason: "signed-out" };
  const membership = await findMembership(session.user.id, requestHeaders);
  if (membership && "missing" in membership) return { member: null, reason: "not-member", slug: membership.missing };
  // A role the table does not know (a database edited by hand, a newer schema) grants nothing rather than guessing.
  if (!membership || !isRole(membership.role)) return { member: null, reason: "no-membership" };
  if (!membership.lastActiveAt || Date.now() - membership.lastActiveAt.getTime() > ACTIVE_EVERY_MS) {
    await db.membership.updateMany({
      where: { id: membership.id, OR: [{ lastActiveAt: null }, { lastActiveAt: { lt: new Date(Date.now() - ACTIVE_EVERY_MS) } }] },
      data: { lastActiveAt: new Date() },
    });
  }
  return {
    member: {
      user: { id: session.user.id, name: session.user.name, email: session.user.email },
      workspace: membership.workspace,
      role: membership.role,
    },
  };
}

/** The signed-in member for request headers, or null (signed out, or in no workspace). */
export async function memberFromHeaders(requestHeaders: Headers): Promise<Member | null> {
  return (await lookupMember(requestHeaders)).member;
}

/** For route handlers: the member, or 401 when signed out and 403 when the account is not in the workspace. */
export async function requireApiMember(requestHeaders: Headers): Promise<Member> {
  const lookup = await lookupMember(requestHeaders);
  if (lookup.member) return lookup.member;
  if (lookup.reason === "not-member") {
    throw new AppError("forbidden", "workspace", `You are not a member of the workspace "${lookup.slug}"; ask one of its admins to invite you.`);
  }
  if (lookup.reason === "no-membership") {
    throw new AppError("forbidden", "membership", "Your account is not a member of any workspace; ask a workspace admin to add you.");
  }
  throw new AppError("unauthorized", "session", "Sign in to use Assay.");
}

/**
 * For server components: the member, or a redirect to setup (new database), login, or the no-workspace page.
 * Memoized per request (React's cache): the layout, the page and generateMetadata each ask, and one session and
 * membership lookup answers all three.
 */
export const requireMember = cache(async function requireMember(): Promise<Member> {
  const requestHeaders = await headers();
  const lookup = await lookupMember(requestHeaders);
  if (lookup.member) return lookup.member;
  if (lookup.reason === "not-member") redirect(`/no-workspace?workspace=${encodeURIComponent(lookup.slug)}`);
  // Sending a signed-in user without a workspace to /login would loop: they are signed in already.
  if (lookup.reason === "no-membership") redirect("/no-workspace");
  if (!(await hasAnyUser())) redirect("/setup");
  // Back to the page asked for after signing in: a pasted link to /w/acme/runs/… opens that run, not the prompt list.
  const asked = safeNextPath(requestHeaders.get(PAGE_PATH_HEADER));
  redirect(asked && asked !== "/" ? `/login?next=${encodeURIComponent(asked)}` : "/login");
});
