import { createHash } from "node:crypto";
import { db } from "../db.ts";
import type { FinishReason } from "../llm/types.ts";

// The optional response cache: keyed by the workspace, the connection (or, for an inline target, none), the base URL
// and the exact body sent (keys sorted: model, messages, every parameter), so a changed parameter, message or model
// is a different key and one workspace never reads another's answers. Only complete answers are cached. A cached
// result is flagged and never enters latency figures. Keys written before the workspace was part of them (format 1)
// simply never match again.

export interface CachedResponse {
  output: string;
  finishReason: FinishReason;
  inputTokens: number | null;
  outputTokens: number | null;
  usageEstimated: boolean;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export interface CacheScope {
  workspaceId: string;
  /** the stored connection called; null for an inline target (its base URL says where it goes) */
  connectionId: string | null;
  baseURL: string;
}

const KEY_FORMAT = 2;

export function cacheKey(scope: CacheScope, body: unknown): string {
  const text = JSON.stringify({
    format: KEY_FORMAT,
    workspaceId: scope.workspaceId,
    connectionId: scope.connectionId,
    baseURL: scope.baseURL.replace(/\/+$/, ""),
    body: canonical(body),
  });
  return createHash("sha256").update(text).digest("hex");
}

export async function readCache(keys: readonly string[]): Promise<Map<string, CachedResponse>> {
  const found = new Map<string, CachedResponse>();
  if (keys.length === 0) return found;
  const rows = await db.responseCache.findMany({ where: { key: { in: [...new Set(keys)] } } });
  for (const row of rows) found.set(row.key, row.response as unknown as CachedResponse);
  return found;
}
