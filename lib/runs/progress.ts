import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import type { RunProgress, RunStatus, StoredRunConfig } from "./types.ts";

// Live progress, counted from the stored results (so every worker's work shows, and a crash loses nothing of it).
// A finished run keeps a snapshot in its config, so lists of old runs need not count their results again.

interface Counts {
  done: number;
  errors: number;
  retries: number;
  cached: number;
}

export async function countResults(runId: string): Promise<Counts> {
  const [row] = await db.$queryRaw<{ done: number; errors: number; retries: number; cached: number }[]>`
    SELECT count(*)::int AS done, count(error)::int AS errors, coalesce(sum(retries), 0)::int AS retries,
           count(*) FILTER (WHERE cached)::int AS cached
    FROM "Result" WHERE "runId" = ${runId}`;
  return row ?? { done: 0, errors: 0, retries: 0, cached: 0 };
}

export interface RunTimes {
  id: string;
  status: RunStatus;
  totalCells: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function progressOf(run: RunTimes, counts: Counts, now = Date.now()): RunProgress {
  const start = run.startedAt?.getTime() ?? null;
  const end = run.finishedAt?.getTime() ?? now;
  const elapsedMs = start === null ? 0 : Math.max(0, end - start);
  const active = run.status === "running" || run.status === "queued";
  const remaining = Math.max(0, run.totalCells - counts.done);
  const etaMs = active && counts.done > 0 && elapsedMs > 0 ? Math.round((elapsedMs / counts.done) * remaining) : null;
  return { runId: run.id, status: run.status, total: run.totalCells, ...counts, elapsedMs, etaMs };
}

export async function runProgress(runId: string): Promise<RunProgress> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { id: true, status: true, totalCells: true, createdAt: true, startedAt: true, finishedAt: true, config: true },
  });
  if (!run) throw new AppError("not_found", "run", "No such run.");
  const snapshot = (run.config as unknown as StoredRunConfig).final;
  const finished = run.status === "completed" || run.status === "cancelled" || run.status === "failed";
  const counts = finished && snapshot ? snapshot : await countResults(runId);
  return progressOf(run, counts);
}

/** Keeps the final counts with a run that has ended. */
export async function snapshotCounts(runId: string): Promise<void> {
  const counts = await countResults(runId);
  await db.$executeRaw`UPDATE "Run" SET config = jsonb_set(config::jsonb, '{final}', ${JSON.stringify(counts)}::jsonb) WHERE id = ${runId}`;
}

export async function clearSnapshot(runId: string): Promise<void> {
  await db.$executeRaw`UPDATE "Run" SET config = config::jsonb - 'final' WHERE id = ${runId}`;
}
