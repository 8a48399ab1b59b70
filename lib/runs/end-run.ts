import { recordActivity } from "../activity/record.ts";
import { db } from "../db.ts";
import type { RunStatus } from "./types.ts";

// The one place a run ends (completed, cancelled, failed) and the feed learns it. The UPDATE … WHERE status IN
// (the statuses it may end from) is the guard: of several workers (or a worker and a cancel) finishing the same run,
// exactly one changes the row, and only that one writes "run.finished" — in the same transaction, so the event and
// the status cannot disagree.

export type EndedStatus = Extract<RunStatus, "completed" | "cancelled" | "failed">;

export interface EndRun {
  status: EndedStatus;
  /** the statuses the run may end from; a run already ended is left alone */
  from: readonly RunStatus[];
  error?: string;
  /** who ended it (a cancel); otherwise the event is attributed to whoever started the run */
  actorId?: string | null;
}

interface ResultCounts {
  done: number;
  graded: number;
  passed: number;
  errors: number;
}

/** True when this call ended the run (and recorded it); false when it had ended already or does not exist. */
export async function endRun(runId: string, end: EndRun): Promise<boolean> {
  return db.$transaction(async (transaction) => {
    const { count } = await transaction.run.updateMany({
      where: { id: runId, status: { in: [...end.from] } },
      data: { status: end.status, finishedAt: new Date(), ...(end.error !== undefined ? { error: end.error } : {}) },
    });
    if (count === 0) return false;
    const run = await transaction.run.findUnique({
      where: { id: runId },
      select: { workspaceId: true, name: true, totalCells: true, createdById: true, variants: { select: { version: { select: { promptId: true } } } } },
    });
    if (!run) return false;
    // Once per run, never per cell: one aggregate over the run's results for the pass rate the feed shows.
    const [counts] = await transaction.$queryRaw<ResultCounts[]>`
      SELECT count(*)::int AS done, count(pass)::int AS graded, count(*) FILTER (WHERE pass IS TRUE)::int AS passed,
             count(error)::int AS errors
      FROM "Result" WHERE "runId" = ${runId}`;
    const promptIds = [...new Set(run.variants.flatMap((variant) => (variant.version ? [variant.version.promptId] : [])))];
    await recordActivity(
      {
        workspaceId: run.workspaceId,
        kind: "run.finished",
        actorId: end.actorId ?? run.createdById,
        promptId: promptIds.length === 1 ? (promptIds[0] ?? null) : null,
        data: {
          runId,
          name: run.name,
          status: end.status,
          cells: run.totalCells,
          done: counts?.done ?? 0,
          errors: counts?.errors ?? 0,
          passRate: counts && counts.graded > 0 ? counts.passed / counts.graded : null,
          cancelledById: end.status === "cancelled" ? (end.actorId ?? null) : null,
          promptIds,
        },
      },
      transaction,
    );
    return true;
  });
}
