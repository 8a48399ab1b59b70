import { recordActivity } from "../activity/record.ts";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { endRun } from "./end-run.ts";
import { chunksOf, chunkSize, missingCells } from "./cells.ts";
import { clearSnapshot, runProgress, snapshotCounts } from "./progress.ts";
import { cancelChunks, enqueueChunks, SHARED_QUEUE } from "./queue.ts";
import { runShape } from "./shape.ts";
import type { RunProgress } from "./types.ts";
import { withRoomForRun } from "./workspace-caps.ts";

async function requireRun(workspaceId: string, runId: string) {
  const run = await db.run.findFirst({ where: { id: runId, workspaceId }, select: { id: true, status: true } });
  if (!run) throw new AppError("not_found", "run", "No such run in this workspace.");
  return run;
}

/** Stops a run: queued chunks are cancelled, workers abort calls in flight; stored results stay. */
export async function cancelRun(workspaceId: string, runId: string, actorId: string | null = null): Promise<RunProgress> {
  await requireRun(workspaceId, runId);
  if (await endRun(runId, { status: "cancelled", from: ["queued", "running"], actorId })) {
    const shape = await runShape(runId);
    if (shape) await cancelChunks(shape.queue, runId);
    await snapshotCounts(runId);
  }
  return runProgress(runId);
}

export interface ResumeOptions {
  /** the caller works the run's private queue itself (the CLI) */
  allowPrivateQueue?: boolean;
  /** who resumed it, for the activity feed */
  actorId?: string | null;
}

/**
 * Runs only the cells that have no stored result yet (after a crash, a cancel, or a failure). Chunks still queued or
 * held for the run are cancelled first and replaced: a worker still holding one stops starting its cells at its next
 * heartbeat, and a cell both finish keeps one result.
 */
export async function resumeRun(workspaceId: string, runId: string, options: ResumeOptions = {}): Promise<RunProgress> {
  await requireRun(workspaceId, runId);
  const shape = await runShape(runId);
  if (!shape) throw new AppError("conflict", "run", "This run's suite was deleted; its missing cells cannot run.");
  if (shape.queue !== SHARED_QUEUE && !options.allowPrivateQueue) {
    throw new AppError(
      "conflict",
      "run",
      `This run was started by \`assay eval\` with API keys from environment variables; resume it where they are set: npx assay runs resume ${runId}`,
    );
  }
  // A resumed run counts toward the workspace's active runs like a new one (itself excepted when still active).
  await withRoomForRun(
    workspaceId,
    {},
    async (transaction) => {
      const run = await transaction.run.update({
        where: { id: runId },
        data: { status: "queued", finishedAt: null, error: null },
        select: { name: true, totalCells: true, createdById: true, variants: { select: { version: { select: { promptId: true } } } } },
      });
      const promptIds = [...new Set(run.variants.flatMap((variant) => (variant.version ? [variant.version.promptId] : [])))];
      await recordActivity(
        {
          workspaceId,
          kind: "run.started",
          actorId: options.actorId ?? run.createdById,
          promptId: promptIds.length === 1 ? (promptIds[0] ?? null) : null,
          data: { runId, name: run.name, resumed: true, variants: run.variants.length, cells: run.totalCells, promptIds },
        },
        transaction,
      );
    },
    runId,
  );
  await clearSnapshot(runId);
  await cancelChunks(shape.queue, runId);
  const queued = await enqueueChunks(shape.queue, chunksOf(runId, missingCells(shape), chunkSize(shape.concurrency)));
  if (queued === 0) {
    if (await endRun(runId, { status: "completed", from: ["queued"] })) await snapshotCounts(runId);
  }
  return runProgress(runId);
}
