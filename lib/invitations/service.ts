import { notifyGatewayChange } from "../gateway/notify.ts";
import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { recordActivity } from "../activity/record.ts";
import type { Role } from "../auth/permissions.ts";
import type { Member } from "../auth/session.ts";
import { withArticle } from "../members/words.ts";
import { invitationMail } from "../mail/invitation-mail.ts";
import { configuredMailer, type Mailer, type MailOutcome } from "../mail/mailer.ts";
import { INVITATION_DAYS, type CreateInvitationInput } from "./schema.ts";
import { hashInvitationToken, newInvitationToken } from "./token.ts";

// Invitations: an admin creates one (a link with a random token, only its hash stored), the invitee opens the link,
// creates an account or signs in, and joins. Single use is enforced in the database: acceptance claims the row with
// a conditional UPDATE in the transaction that adds the membership, so two accepts at once give one member.

const DAY_MS = 24 * 60 * 60 * 1000;

export interface InvitationOptions {
  /** where links point: ASSAY_PUBLIC_URL, else the origin the admin's request came to */
  baseUrl: string;
  mailer?: Mailer;
  now?: Date;
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  lastSentAt: string | null;
  invitedBy: { id: string; name: string } | null;
}

export interface IssuedInvitation extends PendingInvitation {
  /** the link with the token; shown once, to the admin who made or resent it */
  url: string;
  mail: MailOutcome;
}

export type InvitationState = "pending" | "expired" | "revoked" | "used";

export interface InvitationView {
  state: InvitationState;
  email: string;
  role: Role;
  expiresAt: string;
  workspace: { name: string; slug: string };
  inviterName: string | null;
}

export function invitationUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/invite/${token}`;
}

function stateOf(invitation: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now: Date): InvitationState {
  if (invitation.acceptedAt) return "used";
  if (invitation.revokedAt) return "revoked";
  if (invitation.expiresAt.getTime() <= now.getTime()) return "expired";
  return "pending";
}

/** What the invitation page and a refused accept say for each state. */
export function stateMessage(state: Exclude<InvitationState, "pending">, expiresAt: Date): string {
  if (state === "used") return "This invitation has already been used. Ask the workspace admin for a new one if you still need access.";
  if (state === "revoked") return "This invitation was revoked by a workspace admin. Ask them for a new one if you still need access.";
  return `This invitation expired on ${expiresAt.toUTCString()}. Ask the workspace admin to resend it.`;
}

function invalidLink(): AppError {
  return new AppError("not_found", "invitation", "This invitation link is not valid. Check that it was copied whole, or ask for a new one.");
}

/** Only owners can grant owner, so an admin can neither invite an owner nor reissue an owner's invitation. */
function assertMayGrant(member: Member, role: Role): void {
  if (role === "owner" && member.role !== "owner") {
    throw new AppError("forbidden", "role", `Only owners can invite an owner; you are ${withArticle(member.role)}.`, [
      { path: "role", message: "only owners can grant owner" },
    ]);
  }
}

const inviterSelect = { id: true, name: true } as const;

type InvitationRow = Prisma.InvitationGetPayload<object>;

async function inviters(rows: InvitationRow[]): Promise<Map<string, { id: string; name: string }>> {
  const ids = [...new Set(rows.map((row) => row.invitedById).filter((id): id is string => id !== null))];
  const users = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: inviterSelect }) : [];
  return new Map(users.map((user) => [user.id, user]));
}

function pendingView(row: InvitationRow, invitedBy: { id: string; name: string } | null, now: Date): PendingInvitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    expired: row.expiresAt.getTime() <= now.getTime(),
    lastSentAt: row.lastSentAt?.toISOString() ?? null,
    invitedBy,
  };
}

async function sendInvitation(row: InvitationRow, member: Member, url: string, mailer: Mailer): Promise<MailOutcome> {
  return mailer.send(
    invitationMail({ to: row.email, workspaceName: member.workspace.name, inviterName: member.user.name, role: row.role, url, expiresAt: row.expiresAt }),
  );
}

/** Invitations not yet accepted or revoked, expired ones included (they can be resent), newest first. */
export async function listPendingInvitations(workspaceId: string, now = new Date()): Promise<PendingInvitation[]> {
  const rows = await db.invitation.findMany({ where: { workspaceId, acceptedAt: null, revokedAt: null }, orderBy: { createdAt: "desc" } });
  const names = await inviters(rows);
  return rows.map((row) => pendingView(row, (row.invitedById && names.get(row.invitedById)) || null, now));
}

export async function createInvitation(member: Member, input: CreateInvitationInput, options: InvitationOptions): Promise<IssuedInvitation> {
  assertMayGrant(member, input.role);
  const now = options.now ?? new Date();
  const workspaceId = member.workspace.id;
  const existing = await db.membership.findFirst({ where: { workspaceId, user: { email: input.email } }, select: { role: true } });
  if (existing) throw new AppError("conflict", "email", `${input.email} is already a member of this workspace (${existing.role}).`, [{ path: "email", message: "already a member" }]);
  const pending = await db.invitation.findFirst({ where: { workspaceId, email: input.email, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } } });
  if (pending) {
    throw new AppError("conflict", "email", `${input.email} already has a pending invitation; resend or revoke it instead.`, [{ path: "email", message: "already invited" }]);
  }
  const { token, tokenHash } = newInvitationToken();
  const row = await db.invitation.create({
    data: { workspaceId, email: input.email, role: input.role, tokenHash, invitedById: member.user.id, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_DAYS * DAY_MS) },
  });
  return issue(row, member, token, options);
}

async function issue(row: InvitationRow, member: Member, token: string, options: InvitationOptions): Promise<IssuedInvitation> {
  const url = invitationUrl(options.baseUrl, token);
  const mail = await sendInvitation(row, member, url, options.mailer ?? configuredMailer());
  const sent = mail.status === "sent" ? await db.invitation.update({ where: { id: row.id }, data: { lastSentAt: new Date() } }) : row;
  return { ...pendingView(sent, { id: member.user.id, name: member.user.name }, options.now ?? new Date()), url, mail };
}

async function findOpen(workspaceId: string, id: string): Promise<InvitationRow> {
  const row = await db.invitation.findFirst({ where: { id, workspaceId } });
  if (!row) throw new AppError("not_found", "invitation", "No such invitation in this workspace.");
  if (row.acceptedAt) throw new AppError("conflict", "invitation", `The invitation to ${row.email} was already accepted.`);
  if (row.revokedAt) throw new AppError("conflict", "invitation", `The invitation to ${row.email} was revoked; invite them again.`);
  return row;
}

/** A new token and a new 7-day expiry: the link sent before stops working. */
export async function resendInvitation(member: Member, id: string, options: InvitationOptions): Promise<IssuedInvitation> {
  const row = await findOpen(member.workspace.id, id);
  assertMayGrant(member, row.role);
  const now = options.now ?? new Date();
  const { token, tokenHash } = newInvitationToken();
  // conditional, so a resend racing an accept cannot revive a used invitation
  const updated = await db.invitation.updateMany({
    where: { id: row.id, acceptedAt: null, revokedAt: null },
    data: { tokenHash, expiresAt: new Date(now.getTime() + INVITATION_DAYS * DAY_MS) },
  });
  if (updated.count === 0) throw new AppError("conflict", "invitation", `The invitation to ${row.email} was accepted or revoked meanwhile.`);
  return issue(await db.invitation.findUniqueOrThrow({ where: { id: row.id } }), member, token, options);
}

export async function revokeInvitation(workspaceId: string, id: string): Promise<void> {
  const row = await db.invitation.findFirst({ where: { id, workspaceId } });
  if (!row) throw new AppError("not_found", "invitation", "No such invitation in this workspace.");
  if (row.revokedAt) return;
  const updated = await db.invitation.updateMany({ where: { id, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  if (updated.count === 0) throw new AppError("conflict", "invitation", `The invitation to ${row.email} was already accepted; remove the member instead.`);
}

/** What the link opens: the workspace, who invited, the role and the state; an unknown token is a 404. */
export async function inspectInvitation(token: string, now = new Date()): Promise<InvitationView> {
  const row = await db.invitation.findUnique({ where: { tokenHash: hashInvitationToken(token) }, include: { workspace: { select: { name: true, slug: true } } } });
  if (!row) throw invalidLink();
  const inviter = row.invitedById ? await db.user.findUnique({ where: { id: row.invitedById }, select: { name: true } }) : null;
  return { state: stateOf(row, now), email: row.email, role: row.role, expiresAt: row.expiresAt.toISOString(), workspace: row.workspace, inviterName: inviter?.name ?? null };
}

export interface Joined {
  workspace: { id: string; name: string; slug: string };
  role: Role;
  /** the account was a member already: nothing changed, the invitation is still open */
  alreadyMember: boolean;
}

type Tx = Prisma.TransactionClient;

/**
 * Claims the invitation for `userId` inside `tx`: a conditional UPDATE, so of two accepts at once the second finds it
 * used (PostgreSQL re-checks the WHERE after the first commits). Refusals say which state the link is in.
 */
export async function claimInvitation(tx: Tx, tokenHash: string, userId: string, now: Date): Promise<InvitationRow & { workspace: Joined["workspace"] }> {
  const row = await tx.invitation.findUnique({ where: { tokenHash }, include: { workspace: { select: { id: true, name: true, slug: true } } } });
  if (!row) throw invalidLink();
  const claimed = await tx.invitation.updateMany({
    where: { id: row.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { acceptedAt: now, acceptedById: userId },
  });
  if (claimed.count === 0) {
    const current = await tx.invitation.findUniqueOrThrow({ where: { id: row.id } });
    const state = stateOf(current, now);
    throw new AppError("conflict", "invitation", stateMessage(state === "pending" ? "used" : state, current.expiresAt), [{ path: "token", message: state }]);
  }
  return row;
}

export async function addInvitedMember(tx: Tx, row: InvitationRow, userId: string, email: string): Promise<void> {
  await tx.membership.create({ data: { workspaceId: row.workspaceId, userId, role: row.role } });
  // Release rings may name "members of the workspace": the gateway's copy of their emails reloads.
  await notifyGatewayChange(row.workspaceId, "members", tx);
  await recordActivity(
    { workspaceId: row.workspaceId, kind: "member.joined", actorId: userId, data: { role: row.role, invitationId: row.id, invitedEmail: row.email, email, invitedById: row.invitedById } },
    tx,
  );
}

/**
 * A signed-in account accepts: it becomes a member with the invitation's role. The account's email need not match
 * the invited one (the link is the credential; docs/decisions.md). Already a member: nothing changes.
 */
export async function acceptInvitation(token: string, user: { id: string; email: string }, now = new Date()): Promise<Joined> {
  const tokenHash = hashInvitationToken(token);
  const row = await db.invitation.findUnique({ where: { tokenHash }, include: { workspace: { select: { id: true, name: true, slug: true } } } });
  if (!row) throw invalidLink();
  const membership = await db.membership.findUnique({ where: { workspaceId_userId: { workspaceId: row.workspaceId, userId: user.id } } });
  if (membership) return { workspace: row.workspace, role: membership.role, alreadyMember: true };
  return db.$transaction(async (tx) => {
    const claimed = await claimInvitation(tx, tokenHash, user.id, now);
    await addInvitedMember(tx, claimed, user.id, user.email);
    return { workspace: claimed.workspace, role: claimed.role, alreadyMember: false };
  });
}
