import { db } from "../db.ts";
import { endRun } from "./end-run.ts";
import { chunksOf, missingCells, chunkSize } from "./cells.ts";
import { enqueueChunks, getBoss } from "./queue.ts";
import { snapshotCounts } from "./progress.ts";
import { runShape } from "./shape.ts";

// Deciding that a run is over. Called by the worker that finishes its last chunk of a run, and by anyone waiting on
// a run (the CLI) when nothing seems to move: all cells stored → completed; no chunk left anywhere but cells missing
// → a chunk failed for good (the run failed) or was lost (its cells are queued again).

export async function finishRunIfDone(runId: string, queue: string): Promise<void> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, totalCells: true } });
  if (!run || (run.status !== "running" && run.status !== "queued")) return;
  const stored = await db.result.count({ where: { runId } });
  if (stored >= run.totalCells) {
    if (await endRun(runId, { status: "completed", from: ["running", "queued"] })) await snapshotCounts(runId);
    return;
  }
  await getBoss();
  const [jobs] = await db.$queryRawUnsafe<{ pending: bigint; failed: bigint; message: string | null }[]>(
    `SELECT count(*) FILTER (WHERE state < 'completed') AS pending,
            count(*) FILTER (WHERE state = 'failed') AS failed,
            max(output->>'message') FILTER (WHERE state = 'failed') AS message
     FROM pgboss.job WHERE name = $1 AND data->>'runId' = $2`,
    queue,
    runId,
  );
  if (Number(jobs?.pending ?? 0) > 0) return;
  if (Number(jobs?.failed ?? 0) > 0) {
    const ended = await endRun(runId, {
      status: "failed",
      from: ["running", "queued"],
      error: `${stored} of ${run.totalCells} cells have a result; a chunk of cells kept failing: ${jobs?.message ?? "unknown error"}. Resume to run the missing cells.`,
    });
    if (ended) await snapshotCounts(runId);
    return;
  }
  const shape = await runShape(runId);
  if (shape) await enqueueChunks(queue, chunksOf(runId, missingCells(shape), chunkSize(shape.concurrency)));
}
