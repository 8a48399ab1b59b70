import type { Member } from "../auth/session.ts";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { workspacePath } from "../workspaces/paths.ts";
import { inboxQuery, markReadInput, type InboxQuery, type MarkReadInput } from "./schema.ts";

// A member's inbox in the current workspace: mentions, review requests and review decisions addressed to them
// (written by notify.ts). Lines of other workspaces stay in those workspaces' inboxes.

export interface InboxItem {
  id: string;
  kind: "mention" | "review_requested" | "review_decided";
  summary: string;
  /** the page to open, with the workspace: "/w/acme/prompts/…#comment-…" */
  href: string;
  actor: { id: string; name: string } | null;
  createdAt: string;
  readAt: string | null;
}

export interface InboxPage {
  items: InboxItem[];
  unread: number;
  /** pass as `before` for older lines, or null at the end */
  nextBefore: string | null;
}

/** Unread lines of the member in this workspace: one count on the (userId, workspaceId, createdAt) index. */
export function unreadCount(userId: string, workspaceId: string): Promise<number> {
  return db.notification.count({ where: { userId, workspaceId, readAt: null } });
}

export async function listInbox(member: Member, query: InboxQuery = {}): Promise<InboxPage> {
  const { unread, limit, before } = inboxQuery.parse(query);
  const where = { userId: member.user.id, workspaceId: member.workspace.id, ...(unread ? { readAt: null } : {}) };
  let cursor: { createdAt: Date; id: string } | null = null;
  if (before) {
    cursor = await db.notification.findFirst({ where: { id: before, userId: member.user.id, workspaceId: member.workspace.id }, select: { createdAt: true, id: true } });
    if (!cursor) throw new AppError("not_found", "notification", "No such notification in your inbox.", [{ path: "before", message: "unknown notification" }]);
  }
  const rows = await db.notification.findMany({
    where: cursor ? { ...where, OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const actorIds = [...new Set(page.map((row) => row.actorId).filter((id): id is string => id !== null))];
  const actors = actorIds.length === 0 ? [] : await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } });
  const names = new Map(actors.map((actor) => [actor.id, actor.name]));
  return {
    items: page.map((row) => ({
      id: row.id,
      kind: row.kind,
      summary: row.summary,
      href: workspacePath(member.workspace.slug, row.path),
      actor: row.actorId ? { id: row.actorId, name: names.get(row.actorId) ?? "former member" } : null,
      createdAt: row.createdAt.toISOString(),
      readAt: row.readAt?.toISOString() ?? null,
    })),
    unread: await unreadCount(member.user.id, member.workspace.id),
    nextBefore: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Marks some lines, or all, as read; only the member's own lines in this workspace are touched. */
export async function markRead(member: Member, input: MarkReadInput): Promise<{ updated: number; unread: number }> {
  const parsed = markReadInput.parse(input);
  const scope = { userId: member.user.id, workspaceId: member.workspace.id, readAt: null };
  const result = await db.notification.updateMany({
    where: "all" in parsed ? scope : { ...scope, id: { in: parsed.ids } },
    data: { readAt: new Date() },
  });
  return { updated: result.count, unread: await unreadCount(member.user.id, member.workspace.id) };
}
