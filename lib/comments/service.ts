import type { Member } from "../auth/session.ts";
import { can } from "../auth/permissions.ts";
import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { notify } from "../inbox/notify.ts";
import { resolveMentions, type MentionableMember } from "./members.ts";
import {
  commentCountsQuery,
  createCommentInput,
  listCommentsQuery,
  updateCommentInput,
  type CommentTargetInput,
  type CommentTargetType,
  type CreateCommentInput,
  type UpdateCommentInput,
} from "./schema.ts";
import { resolveTarget, type ResolvedTarget } from "./targets.ts";

// Comment threads on a prompt version, a run, a comparison, or one case of a run or comparison. Mentions are
// resolved against the workspace's members when the comment is written (an unknown @name is refused, nothing stored)
// and notify the people mentioned in the same transaction. Deleting is soft (deletedAt) and hides the comment: threads
// are flat, so a deleted comment leaves no replies without a parent; the inbox lines it caused go with it.

export interface CommentView {
  id: string;
  targetType: CommentTargetType;
  targetId: string;
  caseId: string | null;
  reviewId: string | null;
  body: string;
  author: { id: string; name: string } | null;
  mentions: { id: string; name: string }[];
  createdAt: string;
  editedAt: string | null;
  /** for the asking member: only authors edit; authors and moderators delete */
  canEdit: boolean;
  canDelete: boolean;
}

type Client = Prisma.TransactionClient;

/** Who writes or reads: a Member, or the subset other domains have at hand (a review's actor). */
export interface CommentActor {
  user: { id: string; name: string };
  workspace: { id: string };
  role: Member["role"];
}

const COMMENT_SELECT = {
  id: true,
  targetType: true,
  targetId: true,
  caseId: true,
  reviewId: true,
  body: true,
  authorId: true,
  mentions: true,
  createdAt: true,
  editedAt: true,
} as const;

type CommentRow = Prisma.CommentGetPayload<{ select: typeof COMMENT_SELECT }>;

async function viewsOf(member: CommentActor, rows: CommentRow[], client: Client | typeof db = db): Promise<CommentView[]> {
  const userIds = [...new Set(rows.flatMap((row) => [...(row.authorId ? [row.authorId] : []), ...row.mentions]))];
  const users = userIds.length === 0 ? [] : await client.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } });
  const names = new Map(users.map((user) => [user.id, user.name]));
  const moderator = can(member.role, "comment.moderate");
  return rows.map((row) => {
    const own = row.authorId === member.user.id;
    return {
      id: row.id,
      targetType: row.targetType,
      targetId: row.targetId,
      caseId: row.caseId,
      reviewId: row.reviewId,
      body: row.body,
      // an author who left the workspace keeps their name on what they wrote; a deleted account reads "former member"
      author: row.authorId ? { id: row.authorId, name: names.get(row.authorId) ?? "former member" } : null,
      mentions: row.mentions.map((userId) => ({ id: userId, name: names.get(userId) ?? "former member" })),
      createdAt: row.createdAt.toISOString(),
      editedAt: row.editedAt?.toISOString() ?? null,
      canEdit: own,
      canDelete: own || moderator,
    };
  });
}

function notifyMentions(member: CommentActor, target: ResolvedTarget, commentId: string, mentioned: readonly MentionableMember[], client: Client) {
  return notify(
    {
      workspaceId: member.workspace.id,
      userIds: mentioned.map((person) => person.id),
      kind: "mention",
      actorId: member.user.id,
      summary: `${member.user.name} mentioned you on ${target.title}`,
      path: `${target.path}#comment-${commentId}`,
      commentId,
    },
    client,
  );
}

async function inTransaction<T>(work: (client: Client) => Promise<T>, tx?: Client): Promise<T> {
  return tx ? work(tx) : db.$transaction(work);
}

/**
 * Writes a comment and notifies the members it mentions, in one transaction (the caller's, when given: a review
 * decision's comment commits with the decision). Bad input — an empty or oversized body, an unknown @name, a target
 * or case outside the workspace — throws before anything is written.
 */
export async function createComment(member: CommentActor, input: CreateCommentInput, tx?: Client): Promise<CommentView> {
  const parsed = createCommentInput.parse(input);
  const target = await resolveTarget(member.workspace.id, parsed);
  const mentioned = await resolveMentions(member.workspace.id, parsed.body);
  return inTransaction(async (client) => {
    const row = await client.comment.create({
      data: {
        workspaceId: member.workspace.id,
        targetType: target.targetType,
        targetId: target.targetId,
        caseId: target.caseId,
        body: parsed.body,
        authorId: member.user.id,
        mentions: mentioned.map((person) => person.id),
        reviewId: parsed.reviewId ?? null,
      },
      select: COMMENT_SELECT,
    });
    await notifyMentions(member, target, row.id, mentioned, client);
    const [view] = await viewsOf(member, [row], client);
    return view as CommentView;
  }, tx);
}

/** One thread, oldest first: the target-wide one, or one case's when `caseId` is given. */
export async function listComments(member: Member, query: CommentTargetInput): Promise<CommentView[]> {
  const parsed = listCommentsQuery.parse(query);
  const target = await resolveTarget(member.workspace.id, parsed);
  const rows = await db.comment.findMany({
    where: { workspaceId: member.workspace.id, targetType: target.targetType, targetId: target.targetId, caseId: target.caseId, deletedAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: COMMENT_SELECT,
  });
  return viewsOf(member, rows);
}

export interface CaseCommentCount {
  caseId: string;
  caseKey: string;
  count: number;
}

/** How many comments each case of a run or comparison has (the case lists show a badge), most discussed first. */
export async function countCaseComments(member: Member, query: { targetType: string; targetId: string }): Promise<CaseCommentCount[]> {
  const parsed = commentCountsQuery.parse(query);
  const target = await resolveTarget(member.workspace.id, parsed);
  const groups = await db.comment.groupBy({
    by: ["caseId"],
    where: { workspaceId: member.workspace.id, targetType: target.targetType, targetId: target.targetId, caseId: { not: null }, deletedAt: null },
    _count: { _all: true },
  });
  const caseIds = groups.map((group) => group.caseId).filter((caseId): caseId is string => caseId !== null);
  const cases = caseIds.length === 0 ? [] : await db.case.findMany({ where: { id: { in: caseIds } }, select: { id: true, key: true } });
  const keys = new Map(cases.map((item) => [item.id, item.key]));
  return groups
    .filter((group) => group.caseId !== null && keys.has(group.caseId))
    .map((group) => ({ caseId: group.caseId as string, caseKey: keys.get(group.caseId as string) as string, count: group._count._all }))
    .sort((left, right) => right.count - left.count || left.caseKey.localeCompare(right.caseKey));
}

async function findLive(member: Member, commentId: string): Promise<CommentRow & { workspaceId: string }> {
  const row = await db.comment.findFirst({
    where: { id: commentId, workspaceId: member.workspace.id, deletedAt: null },
    select: { ...COMMENT_SELECT, workspaceId: true },
  });
  if (!row) throw new AppError("not_found", "comment", "No such comment in this workspace (it may have been deleted).");
  return row;
}

/** Edits one's own comment: marks it edited, and notifies only the members newly mentioned by the edit. */
export async function updateComment(member: Member, commentId: string, input: UpdateCommentInput): Promise<CommentView> {
  const parsed = updateCommentInput.parse(input);
  const existing = await findLive(member, commentId);
  if (existing.authorId !== member.user.id) throw new AppError("forbidden", "comment", "Only its author can edit a comment.");
  const target = await resolveTarget(member.workspace.id, { targetType: existing.targetType, targetId: existing.targetId, caseId: existing.caseId });
  const mentioned = await resolveMentions(member.workspace.id, parsed.body);
  const added = mentioned.filter((person) => !existing.mentions.includes(person.id));
  return db.$transaction(async (client) => {
    const row = await client.comment.update({
      where: { id: existing.id },
      data: { body: parsed.body, mentions: mentioned.map((person) => person.id), editedAt: new Date() },
      select: COMMENT_SELECT,
    });
    await notifyMentions(member, target, row.id, added, client);
    const [view] = await viewsOf(member, [row], client);
    return view as CommentView;
  });
}

/** Deletes one's own comment, or anyone's with comment.moderate (admins); the inbox lines it caused go with it. */
export async function deleteComment(member: Member, commentId: string): Promise<void> {
  const existing = await findLive(member, commentId);
  if (existing.authorId !== member.user.id && !can(member.role, "comment.moderate")) {
    throw new AppError("forbidden", "comment", `Only its author or an admin can delete this comment; you are ${member.role === "editor" ? "an" : "a"} ${member.role}.`);
  }
  await db.$transaction([
    db.comment.update({ where: { id: existing.id }, data: { deletedAt: new Date() } }),
    db.notification.deleteMany({ where: { commentId: existing.id, workspaceId: member.workspace.id } }),
  ]);
}
