import { createHash } from "node:crypto";
import { db } from "../db.ts";
import type { FinishReason } from "../llm/types.ts";

// The optional response cache: keyed by the exact request (base URL and the body sent, keys sorted), so a changed
// parameter, message or model is a different key. Only complete answers are cached. A cached result is flagged and
// never enters latency figures.

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

export function cacheKey(baseURL: string, body: unknown): string {
  const text = JSON.stringify({ baseURL: baseURL.replace(/\/+$/, ""), body: canonical(body) });
  return createHash("sha256").update(text).digest("hex");
}

export async function readCache(keys: readonly string[]): Promise<Map<string, CachedResponse>> {
  const found = new Map<string, CachedResponse>();
  if (keys.length === 0) return found;
  const rows = await db.responseCache.findMany({ where: { key: { in: [...new Set(keys)] } } });
  for (const row of rows) found.set(row.key, row.response as unknown as CachedResponse);
  return found;
}
