import { z } from "zod";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { createGatewayKey } from "../gateway/keys.ts";
import { notifyGatewayChange } from "../gateway/notify.ts";

// Workspace gateway keys (Authorization: Bearer assay_gw_… on /api/gateway/v1). The key is returned once, by create;
// only its SHA-256 is stored. Revoking is final and idempotent: revoking a revoked key changes nothing and succeeds
// (a retried DELETE must not turn into an error), an unknown id is a 404. Every change NOTIFYs the gateway, whose
// plan cache holds the workspace's key hashes.

export const createGatewayKeyInput = z.strictObject({
  name: z.string("a name for the key").trim().min(1, "a name for the key").max(100, "at most 100 characters"),
});
export type CreateGatewayKeyInput = z.input<typeof createGatewayKeyInput>;

export interface CreatedGatewayKey {
  id: string;
  name: string;
  prefix: string;
  /** the whole key: shown here only */
  key: string;
  createdAt: string;
}

export interface GatewayKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdBy: { id: string; name: string } | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: { id: string; name: string } | null;
}

export async function createWorkspaceGatewayKey(workspaceId: string, userId: string, raw: unknown): Promise<CreatedGatewayKey> {
  const input = createGatewayKeyInput.parse(raw);
  const { key, prefix, keyHash } = createGatewayKey();
  const row = await db.$transaction(async (transaction) => {
    const created = await transaction.gatewayKey.create({
      data: { workspaceId, name: input.name, prefix, keyHash, createdById: userId },
      select: { id: true, name: true, prefix: true, createdAt: true },
    });
    await notifyGatewayChange(workspaceId, "key", transaction);
    return created;
  });
  return { id: row.id, name: row.name, prefix: row.prefix, key, createdAt: row.createdAt.toISOString() };
}

export async function listGatewayKeys(workspaceId: string): Promise<GatewayKeySummary[]> {
  const rows = await db.gatewayKey.findMany({
    where: { workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, name: true, prefix: true, createdById: true, createdAt: true, lastUsedAt: true, revokedAt: true, revokedById: true },
  });
  const ids = [...new Set(rows.flatMap((row) => [row.createdById, row.revokedById]).filter((id): id is string => id !== null))];
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  const names = new Map(users.map((user) => [user.id, user.name]));
  const person = (id: string | null) => (id ? { id, name: names.get(id) ?? "A former member" } : null);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdBy: person(row.createdById),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revokedBy: person(row.revokedById),
  }));
}

/** Revokes a key of the workspace; true when this call revoked it, false when it already was. */
export async function revokeGatewayKey(workspaceId: string, userId: string, id: string): Promise<boolean> {
  return db.$transaction(async (transaction) => {
    const key = await transaction.gatewayKey.findFirst({ where: { id, workspaceId }, select: { id: true } });
    if (!key) throw new AppError("not_found", "gatewayKey", "No such gateway key in this workspace");
    const updated = await transaction.gatewayKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(), revokedById: userId } });
    if (updated.count === 0) return false;
    await notifyGatewayChange(workspaceId, "key", transaction);
    return true;
  });
}
