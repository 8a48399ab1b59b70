import { db } from "../db.ts";
import { callView, type CallView } from "./views.ts";

/** A prompt's stored calls, newest first, filterable by version ("draft" for unsaved drafts) and model. */
export async function listPromptCalls(
  workspaceId: string,
  promptId: string,
  filter: { versionId?: string | null; model?: string | null; limit?: number },
): Promise<{ calls: CallView[]; models: string[] }> {
  const where = {
    workspaceId,
    promptId,
    ...(filter.versionId === "draft" ? { versionId: null } : filter.versionId ? { versionId: filter.versionId } : {}),
    ...(filter.model ? { model: filter.model } : {}),
  };
  const [rows, models] = await Promise.all([
    db.call.findMany({
      where,
      orderBy: { createdAt: "desc" },
      take: Math.min(filter.limit ?? 200, 1000),
      include: { version: { select: { number: true } } },
    }),
    db.call.findMany({ where: { workspaceId, promptId }, distinct: ["model"], select: { model: true }, orderBy: { model: "asc" } }),
  ]);
  const userIds = [...new Set(rows.map((row) => row.userId).filter((id): id is string => !!id))];
  const users = new Map((await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } })).map((user) => [user.id, user.name]));
  return {
    calls: rows.map((row) => callView({ ...row, versionNumber: row.version?.number ?? null, userName: row.userId ? (users.get(row.userId) ?? null) : null })),
    models: models.map((row) => row.model),
  };
}
