import { db, Prisma } from "../db.ts";
import { messageOf } from "../errors.ts";
import { recordSpan } from "../runtime/timing.ts";
import type { CachedResponse } from "./cache.ts";
import type { CellOutcome, ResultRow } from "./execute-cell.ts";

// Results are written in batches: one fsync costs ~20 ms here, so a row per commit would cap a worker near 50 cells
// per second. Each batch is one INSERT … ON CONFLICT DO NOTHING on (run, variant, case, repeat), so a cell that two
// workers both ran (a chunk re-queued after a crash or by a resume) keeps exactly one result. The rows travel as one
// JSON parameter: Prisma's createMany keeps several KB per row alive in this client.

const FLUSH_ROWS = 500;
const FLUSH_DELAY_MS = 40;

interface Pending {
  row: ResultRow;
  cacheEntry?: { key: string; response: CachedResponse };
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class ResultWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  /** `log` hears of every batch that could not be written (its rows' promises reject as well). */
  constructor(private readonly log: (line: string) => void = (line) => console.error(`[results] ${line}`)) {}

  /** Resolves once the row is committed. */
  add(outcome: CellOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...outcome, resolve, reject });
      if (this.pending.length >= FLUSH_ROWS) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
    });
  }

  /** Writes what is pending; batches are written one after another. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      try {
        const started = performance.now();
        await writeBatch(batch);
        recordSpan("result writes (batches, rows)", performance.now() - started, batch.length);
        for (const item of batch) item.resolve();
      } catch (error) {
        const runs = [...new Set(batch.map((item) => item.row.runId))].join(", ");
        this.log(`writing ${batch.length} result${batch.length === 1 ? "" : "s"} of run ${runs} failed: ${messageOf(error)}`);
        for (const item of batch) item.reject(error);
      }
    });
    return this.flushing;
  }
}

export async function writeBatch(batch: readonly { row: ResultRow; cacheEntry?: { key: string; response: CachedResponse } }[]): Promise<void> {
  const rows = batch.map((item) => item.row);
  const cacheEntries = batch.flatMap((item) => (item.cacheEntry ? [item.cacheEntry] : []));
  const statements = [insertResults(rows)];
  if (cacheEntries.length > 0) statements.push(insertCache(cacheEntries));
  // One transaction, one commit: the results and the answers they put in the cache.
  await db.$transaction(statements);
}

function insertResults(rows: readonly ResultRow[]): Prisma.PrismaPromise<number> {
  return db.$executeRawUnsafe(
    `INSERT INTO "Result" (id, "runId", "variantId", "caseId", repeat, output, "finishReason", "inputTokens",
       "outputTokens", "usageEstimated", cost, "ttftMs", "latencyMs", assertions, pass, score, error, attempts, retries, cached)
     SELECT id, "runId", "variantId", "caseId", repeat, output, "finishReason", "inputTokens", "outputTokens",
       "usageEstimated", cost, "ttftMs", "latencyMs", coalesce(assertions, '[]'::jsonb), pass, score, error, attempts,
       retries, cached
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, "runId" text, "variantId" text, "caseId" text, repeat int,
       output text, "finishReason" text, "inputTokens" int, "outputTokens" int, "usageEstimated" boolean,
       cost float8, "ttftMs" float8, "latencyMs" float8, assertions jsonb, pass boolean, score float8, error jsonb,
       attempts int, retries int, cached boolean)
     ON CONFLICT ("runId", "variantId", "caseId", repeat) DO NOTHING`,
    JSON.stringify(rows),
  );
}

function insertCache(entries: readonly { key: string; response: CachedResponse }[]): Prisma.PrismaPromise<number> {
  return db.$executeRawUnsafe(
    `INSERT INTO "ResponseCache" (key, response)
     SELECT key, response FROM jsonb_to_recordset($1::jsonb) AS x(key text, response jsonb)
     ON CONFLICT (key) DO NOTHING`,
    JSON.stringify(entries),
  );
}
