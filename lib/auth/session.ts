import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppError } from "../errors.ts";
import { db } from "../db.ts";
import { getAuth } from "./auth.ts";
import { isRole, type Role } from "./permissions.ts";

export interface Member {
  user: { id: string; name: string; email: string };
  workspace: { id: string; name: string; slug: string };
  role: Role;
}

/** Who is asking: a member, or why not — signed out (401) and signed in without a workspace (403) differ. */
export type MemberLookup = { member: Member } | { member: null; reason: "signed-out" | "no-membership" };

export async function hasAnyUser(): Promise<boolean> {
  return (await db.user.count()) > 0;
}

/**
 * The signed-in user's current membership. Until workspace switching exists (issue #10) the current workspace is
 * the user's oldest membership, with the id as tie-break so two memberships created in the same millisecond still
 * give the same answer on every request. The membership is read on every request (not from the session cookie's
 * cache), so a changed role or a removed member takes effect at once.
 */
export async function lookupMember(requestHeaders: Headers): Promise<MemberLookup> {
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return { member: null, reason: "signed-out" };
  const membership = await db.membership.findFirst({
    where: { userId: session.user.id },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { workspace: { select: { id: true, name: true, slug: true } } },
  });
  // A role the table does not know (a database edited by hand, a newer schema) grants nothing rather than guessing.
  if (!membership || !isRole(membership.role)) return { member: null, reason: "no-membership" };
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

/** For route handlers: the member, or 401 when signed out and 403 when the account belongs to no workspace. */
export async function requireApiMember(requestHeaders: Headers): Promise<Member> {
  const lookup = await lookupMember(requestHeaders);
  if (lookup.member) return lookup.member;
  if (lookup.reason === "no-membership") {
    throw new AppError("forbidden", "membership", "Your account is not a member of any workspace; ask a workspace admin to add you.");
  }
  throw new AppError("unauthorized", "session", "Sign in to use Assay.");
}

/** For server components: the member, or a redirect to setup (new database), login, or the no-workspace page. */
export async function requireMember(): Promise<Member> {
  const lookup = await lookupMember(await headers());
  if (lookup.member) return lookup.member;
  // Sending a signed-in user without a workspace to /login would loop: they are signed in already.
  if (lookup.reason === "no-membership") redirect("/no-workspace");
  redirect((await hasAnyUser()) ? "/login" : "/setup");
}
