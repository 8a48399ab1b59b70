import { notifyGatewayChange } from "../gateway/notify.ts";
import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { recordActivity } from "../activity/record.ts";
import { assertCan, type Role } from "../auth/permissions.ts";
import type { Member } from "../auth/session.ts";
import { withArticle } from "./words.ts";

// Members of a workspace: list, change a role, remove, leave, transfer ownership. Every change that could leave a
// workspace without an owner runs in a transaction that first locks the workspace's owner rows, so two admins
// demoting the two last owners at once cannot both succeed.

export interface MemberRow {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: string;
  lastActiveAt: string | null;
}

type Tx = Prisma.TransactionClient;

export async function listMembers(workspaceId: string): Promise<MemberRow[]> {
  const rows = await db.membership.findMany({
    where: { workspaceId },
    include: { user: { select: { id: true, name: true, email: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((row) => ({
    userId: row.user.id,
    name: row.user.name,
    email: row.user.email,
    role: row.role,
    joinedAt: row.createdAt.toISOString(),
    lastActiveAt: row.lastActiveAt?.toISOString() ?? null,
  }));
}

/** Locks the owner rows, then says how many owners there are: the decision and the change see the same owners. */
async function lockedOwnerCount(tx: Tx, workspaceId: string): Promise<number> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Membership" WHERE "workspaceId" = ${workspaceId} AND role = 'owner' FOR UPDATE`;
  return rows.length;
}

async function targetOf(tx: Tx, workspaceId: string, userId: string) {
  const target = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, include: { user: { select: { name: true, email: true } } } });
  if (!target) throw new AppError("not_found", "member", "No such member in this workspace.");
  return target;
}

function lastOwner(what: string): AppError {
  return new AppError("conflict", "owner", `${what}: a workspace needs at least one owner. Make another member owner first (or transfer ownership).`);
}

/**
 * Admins change roles among admin, editor and viewer; only owners make someone an owner or change an owner's role.
 * The last owner cannot be demoted.
 */
export async function changeRole(member: Member, userId: string, role: Role): Promise<MemberRow> {
  const workspaceId = member.workspace.id;
  await db.$transaction(async (tx) => {
    const owners = await lockedOwnerCount(tx, workspaceId);
    const target = await targetOf(tx, workspaceId, userId);
    if (target.role === role) return;
    if ((role === "owner" || target.role === "owner") && member.role !== "owner") {
      throw new AppError("forbidden", "role", `Only owners can ${role === "owner" ? "make someone an owner" : "change an owner's role"}; you are ${withArticle(member.role)}.`);
    }
    if (target.role === "owner" && owners <= 1) throw lastOwner(`${target.user.name} is the last owner and cannot be demoted`);
    await tx.membership.update({ where: { id: target.id }, data: { role } });
    await recordActivity({ workspaceId, kind: "member.role_changed", actorId: member.user.id, data: { userId, name: target.user.name, from: target.role, to: role } }, tx);
  });
  const rows = await listMembers(workspaceId);
  const row = rows.find((candidate) => candidate.userId === userId);
  if (!row) throw new AppError("not_found", "member", "No such member in this workspace.");
  return row;
}

/**
 * Removes a member, or — when `userId` is the caller — leaves. Leaving needs no permission; removing someone else
 * needs member.manage, and removing an owner needs an owner. The last owner can neither leave nor be removed.
 */
export async function removeMember(member: Member, userId: string): Promise<{ left: boolean }> {
  const workspaceId = member.workspace.id;
  const leaving = userId === member.user.id;
  // checked before anything is looked up, so a viewer learns it is not allowed rather than whether the id exists
  if (!leaving) assertCan(member, "member.manage");
  await db.$transaction(async (tx) => {
    const owners = await lockedOwnerCount(tx, workspaceId);
    const target = await targetOf(tx, workspaceId, userId);
    if (!leaving && target.role === "owner" && member.role !== "owner") {
      throw new AppError("forbidden", "role", `Only owners can remove an owner; you are ${withArticle(member.role)}.`);
    }
    if (target.role === "owner" && owners <= 1) {
      throw lastOwner(leaving ? "You are the last owner and cannot leave" : `${target.user.name} is the last owner and cannot be removed`);
    }
    await tx.membership.delete({ where: { id: target.id } });
    // Release rings may name "members of the workspace": the gateway's copy of their emails reloads.
    await notifyGatewayChange(workspaceId, "members", tx);
    await recordActivity(
      { workspaceId, kind: "member.removed", actorId: member.user.id, data: { userId, name: target.user.name, email: target.user.email, role: target.role, left: leaving } },
      tx,
    );
  });
  return { left: leaving };
}

/** The owner hands the workspace to another member: they become owner, the caller becomes admin. */
export async function transferOwnership(member: Member, userId: string): Promise<{ owner: MemberRow; previousOwner: MemberRow }> {
  assertCan(member, "workspace.transfer");
  const workspaceId = member.workspace.id;
  if (userId === member.user.id) throw new AppError("bad_request", "userId", "Choose another member: you are an owner already.", [{ path: "userId", message: "is you" }]);
  await db.$transaction(async (tx) => {
    await lockedOwnerCount(tx, workspaceId);
    const target = await targetOf(tx, workspaceId, userId);
    const self = await targetOf(tx, workspaceId, member.user.id);
    if (self.role !== "owner") throw new AppError("forbidden", "workspace.transfer", "Only owners can transfer ownership.");
    await tx.membership.update({ where: { id: target.id }, data: { role: "owner" } });
    await tx.membership.update({ where: { id: self.id }, data: { role: "admin" } });
    await recordActivity(
      { workspaceId, kind: "ownership.transferred", actorId: member.user.id, data: { fromUserId: member.user.id, toUserId: userId, toName: target.user.name, toPreviousRole: target.role } },
      tx,
    );
  });
  const rows = await listMembers(workspaceId);
  const owner = rows.find((row) => row.userId === userId);
  const previousOwner = rows.find((row) => row.userId === member.user.id);
  if (!owner || !previousOwner) throw new AppError("internal", "member", "The transfer committed but the members could not be read back.");
  return { owner, previousOwner };
}
