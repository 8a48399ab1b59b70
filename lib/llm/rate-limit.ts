import { db } from "../db.ts";

// Per-connection requests-per-minute and tokens-per-minute limits that hold across every worker process: usage is
// counted in one-second buckets of the RateWindow table and a request is let through only while the last 60 seconds
// stay under the limits. Each reservation runs under a transaction-scoped advisory lock on the connection, so two
// workers cannot both take the last slot. These counters are not worth an fsync each: losing the last few on a
// database crash only makes the next minute a little more permissive.

export interface RateLimits {
  rpm: number | null;
  tpm: number | null;
}

const WINDOW_SECONDS = 60;
const MIN_WAIT_MS = 50;

export function hasRateLimits(limits: RateLimits): boolean {
  return (limits.rpm !== null && limits.rpm > 0) || (limits.tpm !== null && limits.tpm > 0);
}

interface Usage {
  requests: number;
  tokens: number;
  wait_ms: number | null;
}

/**
 * Reserves one request and `tokens` (an estimate of the call's tokens) for the connection. Returns 0 when granted,
 * else how long to wait before asking again. A single request larger than the whole token limit is let through when
 * the window is empty, or it could never run.
 */
export async function tryReserve(connectionId: string, limits: RateLimits, tokens: number): Promise<number> {
  const estimate = Math.max(0, Math.round(tokens));
  return db.$transaction(async (transaction) => {
    await transaction.$executeRawUnsafe("SET LOCAL synchronous_commit = off");
    await transaction.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtext('assay-rate:' || $1))", connectionId);
    const [usage] = await transaction.$queryRawUnsafe<Usage[]>(
      `SELECT coalesce(sum(requests), 0)::int AS requests, coalesce(sum(tokens), 0)::int AS tokens,
              (extract(epoch FROM (min("windowStart") + interval '${WINDOW_SECONDS} seconds' - (now() AT TIME ZONE 'UTC'))) * 1000)::float8 AS wait_ms
       FROM "RateWindow"
       WHERE "connectionId" = $1 AND "windowStart" > (now() AT TIME ZONE 'UTC') - interval '${WINDOW_SECONDS} seconds'`,
      connectionId,
    );
    const requests = usage?.requests ?? 0;
    const used = usage?.tokens ?? 0;
    const overRequests = limits.rpm !== null && limits.rpm > 0 && requests + 1 > limits.rpm;
    const overTokens = limits.tpm !== null && limits.tpm > 0 && used + estimate > limits.tpm && requests > 0;
    if (overRequests || overTokens) return Math.max(MIN_WAIT_MS, Math.ceil(usage?.wait_ms ?? 1000));
    await transaction.$executeRawUnsafe(
      `INSERT INTO "RateWindow" ("connectionId", "windowStart", requests, tokens)
       VALUES ($1, date_trunc('second', now() AT TIME ZONE 'UTC'), 1, $2)
       ON CONFLICT ("connectionId", "windowStart")
       DO UPDATE SET requests = "RateWindow".requests + 1, tokens = "RateWindow".tokens + EXCLUDED.tokens`,
      connectionId,
      estimate,
    );
    if (Math.random() < 0.02) {
      await transaction.$executeRawUnsafe(
        `DELETE FROM "RateWindow" WHERE "connectionId" = $1 AND "windowStart" < (now() AT TIME ZONE 'UTC') - interval '5 minutes'`,
        connectionId,
      );
    }
    return 0;
  });
}

/** Corrects the current bucket once the call's real token count is known (it may be below the estimate). */
export async function adjustTokens(connectionId: string, delta: number): Promise<void> {
  const change = Math.round(delta);
  if (change === 0) return;
  await db.$transaction([
    db.$executeRawUnsafe("SET LOCAL synchronous_commit = off"),
    db.$executeRawUnsafe(
      `INSERT INTO "RateWindow" ("connectionId", "windowStart", requests, tokens)
       VALUES ($1, date_trunc('second', now() AT TIME ZONE 'UTC'), 0, $2)
       ON CONFLICT ("connectionId", "windowStart") DO UPDATE SET tokens = greatest(0, "RateWindow".tokens + EXCLUDED.tokens)`,
      connectionId,
      change,
    ),
  ]);
}
