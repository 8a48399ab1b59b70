import type { PrismaClient } from "../generated/prisma/client.ts";
import { invalidApiKey } from "./errors.ts";
import { hashGatewayKey, isGatewayKeyShape } from "./keys.ts";

// Gateway keys, cached in memory by their SHA-256: the first request with a key costs one lookup, the next ones none.
// A revocation (or a new key) is NOTIFYed as "key" for its workspace (lib/gateway/notify.ts): the workspace's cached
// keys are dropped, so the next request looks again and a revoked key is refused within the notify's delivery time.
// Unknown keys are remembered briefly (NEGATIVE_MS) so a client retrying a wrong key does not cost a query each time;
// a "key" notify of any workspace forgets them (a key created a moment ago works at once).

export interface GatewayPrincipal {
  keyId: string;
  workspaceId: string;
}

interface Cached {
  keyId: string;
  workspaceId: string;
  revoked: boolean;
}

const NEGATIVE_MS = 5_000;
const MAX_NEGATIVE = 10_000;

export class KeyCache {
  private readonly known = new Map<string, Cached>();
  private readonly unknown = new Map<string, number>();
  private readonly pending = new Map<string, Promise<Cached | null>>();
  /** bumped by every invalidation, so a lookup that started before one does not write back stale facts */
  private generation = 0;

  constructor(private readonly db: Pick<PrismaClient, "gatewayKey">) {}

  /** The key's principal, or a 401 GatewayError for a missing, malformed, unknown or revoked key. */
  async authenticate(authorization: string | null): Promise<GatewayPrincipal> {
    const match = authorization === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) {
      throw invalidApiKey("Missing gateway key: send Authorization: Bearer assay_gw_… (a key from the workspace's Gateway keys settings).");
    }
    const key = match[1]!;
    if (!isGatewayKeyShape(key)) throw invalidApiKey("Incorrect gateway key: Assay gateway keys start with assay_gw_.");
    const hash = hashGatewayKey(key);
    const cached = this.known.get(hash) ?? (await this.lookup(hash));
    if (!cached) throw invalidApiKey("Incorrect gateway key provided: no workspace has this key.");
    if (cached.revoked) throw invalidApiKey("This gateway key was revoked.");
    return { keyId: cached.keyId, workspaceId: cached.workspaceId };
  }

  private async lookup(hash: string): Promise<Cached | null> {
    const missedAt = this.unknown.get(hash);
    if (missedAt !== undefined && Date.now() - missedAt < NEGATIVE_MS) return null;
    let pending = this.pending.get(hash);
    if (!pending) {
      const generation = this.generation;
      pending = this.db.gatewayKey
        .findUnique({ where: { keyHash: hash }, select: { id: true, workspaceId: true, revokedAt: true } })
        .then((row) => {
          const found = row ? { keyId: row.id, workspaceId: row.workspaceId, revoked: row.revokedAt !== null } : null;
          if (generation === this.generation) {
            if (found) this.known.set(hash, found);
            else this.rememberUnknown(hash);
          }
          return found;
        })
        .finally(() => this.pending.delete(hash));
      this.pending.set(hash, pending);
    }
    return pending;
  }

  private rememberUnknown(hash: string): void {
    this.unknown.set(hash, Date.now());
    if (this.unknown.size > MAX_NEGATIVE) {
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
  }

  /** A "key" change in a workspace: its keys are looked up again on next use. */
  invalidateWorkspace(workspaceId: string): void {
    this.generation += 1;
    for (const [hash, cached] of this.known) if (cached.workspaceId === workspaceId) this.known.delete(hash);
    this.unknown.clear();
  }

  /** The safety-net refresh: every cached key checked in one query (a missed notify heals within the refresh period). */
  async revalidate(): Promise<void> {
    if (this.known.size === 0) return;
    const generation = this.generation;
    const ids = [...this.known.values()].map((cached) => cached.keyId);
    const rows = await this.db.gatewayKey.findMany({ where: { id: { in: ids } }, select: { id: true, revokedAt: true } });
    if (generation !== this.generation) return;
    const revoked = new Map(rows.map((row) => [row.id, row.revokedAt !== null]));
    for (const [hash, cached] of this.known) {
      const state = revoked.get(cached.keyId);
      if (state === undefined) this.known.delete(hash);
      else cached.revoked = state;
    }
  }

  clear(): void {
    this.generation += 1;
    this.known.clear();
    this.unknown.clear();
  }
}
