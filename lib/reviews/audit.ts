import { AUDITED_KINDS } from "../activity/record.ts";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";

// The prompt page's audit timeline: every label move and review decision on one prompt, newest first, from the
// activity rows written in the same transaction as each change (so it cannot show a move that did not happen).

export interface AuditEvent {
  id: string;
  kind: string;
  actor: { id: string; name: string } | null;
  createdAt: string;
  label: string | null;
  from: { versionId: string; number: number } | null;
  to: { versionId: string; number: number } | null;
  /** the version a review event is about */
  version: { versionId: string; number: number } | null;
  reviewId: string | null;
  /** why a review closed ("withdrawn", "superseded") */
  reason: string | null;
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function versionRef(id: unknown, number: unknown): { versionId: string; number: number } | null {
  return typeof id === "string" && typeof number === "number" ? { versionId: id, number } : null;
}

export async function promptAudit(workspaceId: string, promptId: string, limit = 200): Promise<AuditEvent[]> {
  const prompt = await db.prompt.findFirst({ where: { id: promptId, workspaceId }, select: { id: true } });
  if (!prompt) throw new AppError("not_found", "prompt", `No prompt "${promptId}" in this workspace`);
  const rows = await db.activityEvent.findMany({
    where: { workspaceId, promptId, kind: { in: [...AUDITED_KINDS] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  const actorIds = [...new Set(rows.map((row) => row.actorId).filter((id): id is string => id !== null))];
  const users = await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } });
  const names = new Map(users.map((user) => [user.id, user.name]));
  return rows.map((row) => {
    const data = (row.data ?? {}) as Record<string, unknown>;
    return {
      id: row.id,
      kind: row.kind,
      actor: row.actorId ? { id: row.actorId, name: names.get(row.actorId) ?? "a former member" } : null,
      createdAt: row.createdAt.toISOString(),
      label: text(data.label),
      from: versionRef(data.fromVersionId, data.fromNumber),
      to: versionRef(data.toVersionId, data.toNumber),
      version: versionRef(data.versionId, data.versionNumber),
      reviewId: text(data.reviewId),
      reason: text(data.reason),
    };
  });
}
