import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppError } from "../errors.ts";
import { db } from "../db.ts";
import { getAuth } from "./auth.ts";
import type { Role } from "../generated/prisma/client.ts";

export interface Member {
  user: { id: string; name: string; email: string };
  workspace: { id: string; name: string; slug: string };
  role: Role;
}

const WRITE_ROLES: Role[] = ["owner", "admin", "editor"];

export async function hasAnyUser(): Promise<boolean> {
  return (await db.user.count()) > 0;
}

/** The signed-in member for request headers, or null. The first membership is the current workspace. */
export async function memberFromHeaders(requestHeaders: Headers): Promise<Member | null> {
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const membership = await db.membership.findFirst({
    where: { userId: session.user.id },
    orderBy: { createdAt: "asc" },
    include: { workspace: true },
  });
  if (!membership) return null;
  return {
    user: { id: session.user.id, name: session.user.name, email: session.user.email },
    workspace: { id: membership.workspace.id, name: membership.workspace.name, slug: membership.workspace.slug },
    role: membership.role,
  };
}

/** For server components: the member, or a redirect to setup (new database) or login. */
export async function requireMember(): Promise<Member> {
  const member = await memberFromHeaders(await headers());
  if (member) return member;
  redirect((await hasAnyUser()) ? "/login" : "/setup");
}

export function assertCanWrite(member: Member): void {
  if (!WRITE_ROLES.includes(member.role)) {
    throw new AppError("forbidden", "workspace", "Viewers cannot change this workspace; ask an admin for editor access.");
  }
}
