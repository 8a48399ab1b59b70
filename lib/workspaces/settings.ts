import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { parseProtectedLabels } from "../reviews/protected-labels.ts";
import type { ProtectedLabel } from "./schema.ts";

// Workspace settings: its name, the protected labels with the approvals each needs (read by reviews and label
// moves), and the share-link policy (read when a link is made).

export interface WorkspaceSettings {
  id: string;
  name: string;
  slug: string;
  protectedLabels: ProtectedLabel[];
  shareLinkMaxDays: number;
  allowPublicLinks: boolean;
}

export async function workspaceSettings(workspaceId: string): Promise<WorkspaceSettings> {
  const row = await db.workspace.findUnique({ where: { id: workspaceId } });
  if (!row) throw new AppError("not_found", "workspace", "No such workspace.");
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    protectedLabels: parseProtectedLabels(row.protectedLabels),
    shareLinkMaxDays: row.shareLinkMaxDays,
    allowPublicLinks: row.allowPublicLinks,
  };
}

/** Renames; the slug stays, so links already pasted keep opening this workspace. */
export async function renameWorkspace(workspaceId: string, name: string): Promise<WorkspaceSettings> {
  await db.workspace.update({ where: { id: workspaceId }, data: { name } });
  return workspaceSettings(workspaceId);
}

export async function setProtectedLabels(workspaceId: string, labels: ProtectedLabel[]): Promise<WorkspaceSettings> {
  await db.workspace.update({ where: { id: workspaceId }, data: { protectedLabels: labels as unknown as Prisma.InputJsonValue } });
  return workspaceSettings(workspaceId);
}

export async function setSharePolicy(workspaceId: string, policy: { shareLinkMaxDays?: number; allowPublicLinks?: boolean }): Promise<WorkspaceSettings> {
  await db.workspace.update({ where: { id: workspaceId }, data: policy });
  return workspaceSettings(workspaceId);
}
