import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { compareQuery } from "../compare/schema.ts";
import { loadVariants } from "../compare/load.ts";
import { createShareLinkInput, DEFAULT_EXPIRY_DAYS, type CreateShareLinkInput, type ShareResourceKind, type ShareScopeKind } from "./schema.ts";
import { createShareToken, hashShareToken, isShareTokenShape, shareUrlPath } from "./token.ts";

// Read-only links to a prompt version, a run or a comparison (issue #10). The token is shown once, on creation;
// the database holds its SHA-256 only. A link is either for members of the workspace (they sign in) or for anyone
// holding it, lives at most the workspace's shareLinkMaxDays, and can be revoked by its maker or an admin.

const DAY_MS = 24 * 60 * 60 * 1000;

export type ShareLinkState = "active" | "expired" | "revoked";

export interface ShareLinkRecord {
  id: string;
  workspaceId: string;
  resource: ShareResourceKind;
  resourceId: string;
  scope: ShareScopeKind;
  createdById: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  viewCount: number;
  lastViewedAt: Date | null;
}

export interface CreatedShareLink {
  id: string;
  /** "/s/<token>": the only time the token is shown */
  url: string;
  expiresAt: string;
}

export interface ShareLinkView {
  id: string;
  resource: ShareResourceKind;
  resourceId: string;
  /** what is shared, in words: "Support triage v3", "Nightly run", "v3 zero-shot vs v4 few-shot" */
  title: string;
  /** the workspace-relative page of the shared thing, for members */
  path: string | null;
  scope: ShareScopeKind;
  createdBy: { id: string; name: string } | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  viewCount: number;
  lastViewedAt: string | null;
  state: ShareLinkState;
}

/** Who asks: the member's workspace and user, and whether they may manage everyone's links (shareLink.manage). */
export interface ShareActor {
  workspaceId: string;
  userId: string;
  canManage: boolean;
}

export function stateOf(link: Pick<ShareLinkRecord, "revokedAt" | "expiresAt">, now = new Date()): ShareLinkState {
  if (link.revokedAt) return "revoked";
  if (link.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

/** The stored resourceId of what the request names, after checking it exists in the workspace. */
async function resolveResource(workspaceId: string, resource: ShareResourceKind, id: string): Promise<string> {
  if (resource === "version") {
    const version = await db.promptVersion.findFirst({ where: { id, prompt: { workspaceId } }, select: { id: true } });
    if (!version) throw new AppError("not_found", "version", "id: no such prompt version in this workspace.", [{ path: "id", message: "unknown prompt version" }]);
    return version.id;
  }
  if (resource === "run") {
    const run = await db.run.findFirst({ where: { id, workspaceId }, select: { id: true } });
    if (!run) throw new AppError("not_found", "run", "id: no such run in this workspace.", [{ path: "id", message: "unknown run" }]);
    return run.id;
  }
  // A comparison is what the compare screen's URL names: `variants=a,b[,…]`, baseline first, as getComparison reads it.
  const parsed = compareQuery.safeParse({ variants: id });
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "not a list of variants";
    throw new AppError("bad_request", "comparison", `id: ${message} (a comparison is named by its variants, "baseline,other").`, [{ path: "id", message }]);
  }
  await loadVariants(workspaceId, parsed.data.variants);
  return parsed.data.variants.join(",");
}

export async function createShareLink(actor: { workspaceId: string; userId: string }, input: CreateShareLinkInput): Promise<CreatedShareLink> {
  const data = createShareLinkInput.parse(input);
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: actor.workspaceId }, select: { shareLinkMaxDays: true, allowPublicLinks: true } });
  if (data.scope === "anyone" && !workspace.allowPublicLinks) {
    throw new AppError(
      "forbidden",
      "scope",
      'scope: this workspace does not allow links for anyone; share with its members instead, or ask an owner to allow "anyone with the link" in Settings.',
      [{ path: "scope", message: "links for anyone are switched off in this workspace" }],
    );
  }
  const maxDays = Math.max(1, workspace.shareLinkMaxDays);
  const days = data.expiresInDays ?? Math.min(DEFAULT_EXPIRY_DAYS, maxDays);
  if (days > maxDays) {
    throw new AppError("bad_request", "expiresInDays", `expiresInDays: at most ${maxDays} days in this workspace.`, [{ path: "expiresInDays", message: `at most ${maxDays}` }]);
  }
  const resourceId = await resolveResource(actor.workspaceId, data.resource, data.id);
  const token = createShareToken();
  const link = await db.shareLink.create({
    data: {
      workspaceId: actor.workspaceId,
      tokenHash: hashShareToken(token),
      resource: data.resource,
      resourceId,
      scope: data.scope,
      createdById: actor.userId,
      expiresAt: new Date(Date.now() + days * DAY_MS),
    },
    select: { id: true, expiresAt: true },
  });
  return { id: link.id, url: shareUrlPath(token), expiresAt: link.expiresAt.toISOString() };
}

/** Titles and member pages of the shared things, in a few queries for the whole list. */
async function describeResources(workspaceId: string, links: Pick<ShareLinkRecord, "resource" | "resourceId">[]): Promise<Map<string, { title: string; path: string | null }>> {
  const ids = (kind: ShareResourceKind) => [...new Set(links.filter((link) => link.resource === kind).map((link) => link.resourceId))];
  const variantIds = [...new Set(ids("comparison").flatMap((key) => key.split(",")))];
  const [versions, runs, variants] = await Promise.all([
    db.promptVersion.findMany({ where: { id: { in: ids("version") }, prompt: { workspaceId } }, select: { id: true, number: true, prompt: { select: { id: true, name: true } } } }),
    db.run.findMany({ where: { id: { in: ids("run") }, workspaceId }, select: { id: true, name: true } }),
    db.variant.findMany({ where: { id: { in: variantIds }, run: { workspaceId } }, select: { id: true, label: true } }),
  ]);
  const described = new Map<string, { title: string; path: string | null }>();
  for (const version of versions) {
    described.set(`version:${version.id}`, { title: `${version.prompt.name} v${version.number}`, path: `/prompts/${version.prompt.id}?v=${version.number}` });
  }
  for (const run of runs) described.set(`run:${run.id}`, { title: run.name || `Run ${run.id.slice(-6)}`, path: `/runs/${run.id}` });
  const labels = new Map(variants.map((variant) => [variant.id, variant.label]));
  for (const key of ids("comparison")) {
    const parts = key.split(",");
    if (parts.some((id) => !labels.has(id))) continue;
    described.set(`comparison:${key}`, { title: parts.map((id) => labels.get(id)).join(" vs "), path: `/compare?variants=${key}` });
  }
  return described;
}

const DELETED: Record<ShareResourceKind, string> = { version: "a deleted prompt version", run: "a deleted run", comparison: "a comparison of deleted runs" };

function toView(link: ShareLinkRecord & { createdBy: { id: string; name: string } | null }, described: Map<string, { title: string; path: string | null }>, now: Date): ShareLinkView {
  const about = described.get(`${link.resource}:${link.resourceId}`);
  return {
    id: link.id,
    resource: link.resource,
    resourceId: link.resourceId,
    title: about?.title ?? DELETED[link.resource],
    path: about?.path ?? null,
    scope: link.scope,
    createdBy: link.createdBy,
    createdAt: link.createdAt.toISOString(),
    expiresAt: link.expiresAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
    viewCount: link.viewCount,
    lastViewedAt: link.lastViewedAt?.toISOString() ?? null,
    state: stateOf(link, now),
  };
}

/** The actor's own links, or every link of the workspace for those who manage them; newest first. */
export async function listShareLinks(actor: ShareActor): Promise<ShareLinkView[]> {
  const rows = await db.shareLink.findMany({
    where: { workspaceId: actor.workspaceId, ...(actor.canManage ? {} : { createdById: actor.userId }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    // The newest 500: a page, not an archive (revoked and expired links stay listed until then).
    take: 500,
  });
  const creatorIds = [...new Set(rows.flatMap((row) => (row.createdById ? [row.createdById] : [])))];
  const [creators, described] = await Promise.all([
    db.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, name: true } }),
    describeResources(actor.workspaceId, rows),
  ]);
  const names = new Map(creators.map((user) => [user.id, user]));
  const now = new Date();
  return rows.map((row) => toView({ ...row, createdBy: row.createdById ? (names.get(row.createdById) ?? null) : null }, described, now));
}

/** Revokes a link (its maker, or whoever manages links). Revoking a revoked link again changes nothing. */
export async function revokeShareLink(actor: ShareActor, id: string): Promise<void> {
  const link = await db.shareLink.findFirst({ where: { id, workspaceId: actor.workspaceId }, select: { id: true, createdById: true, revokedAt: true } });
  if (!link) throw new AppError("not_found", "shareLink", "No such share link in this workspace.");
  if (link.createdById !== actor.userId && !actor.canManage) {
    throw new AppError("forbidden", "shareLink.manage", "You can revoke only the links you made; admins and owners can revoke any.");
  }
  if (link.revokedAt) return;
  await db.shareLink.updateMany({ where: { id: link.id, revokedAt: null }, data: { revokedAt: new Date() } });
}

export type ResolvedShareLink =
  | { ok: true; link: ShareLinkRecord; workspace: { id: string; name: string } }
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "revoked"; at: Date }
  | { ok: false; reason: "expired"; at: Date };

/** What a token opens: the link and its workspace, or why not. */
export async function resolveShareLink(token: string, now = new Date()): Promise<ResolvedShareLink> {
  if (!isShareTokenShape(token)) return { ok: false, reason: "unknown" };
  const row = await db.shareLink.findUnique({
    where: { tokenHash: hashShareToken(token) },
    include: { workspace: { select: { id: true, name: true } } },
  });
  if (!row) return { ok: false, reason: "unknown" };
  if (row.revokedAt) return { ok: false, reason: "revoked", at: row.revokedAt };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired", at: row.expiresAt };
  const { workspace, tokenHash: _hash, ...link } = row;
  return { ok: true, link, workspace };
}

/** One view of the shared page: a single UPDATE (the increment happens in SQL, so concurrent views all count). */
export async function recordShareView(linkId: string): Promise<void> {
  await db.shareLink.updateMany({ where: { id: linkId, revokedAt: null }, data: { viewCount: { increment: 1 }, lastViewedAt: new Date() } });
}

/** The share-link policy of a workspace, for the share dialog. */
export async function shareLinkPolicy(workspaceId: string): Promise<{ maxDays: number; defaultDays: number; allowPublicLinks: boolean }> {
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { shareLinkMaxDays: true, allowPublicLinks: true } });
  const maxDays = Math.max(1, workspace.shareLinkMaxDays);
  return { maxDays, defaultDays: Math.min(DEFAULT_EXPIRY_DAYS, maxDays), allowPublicLinks: workspace.allowPublicLinks };
}
