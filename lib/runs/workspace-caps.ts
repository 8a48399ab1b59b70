import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { configuredLimits } from "../configured-limits.ts";
import { formatCount } from "../format.ts";
import { Semaphore } from "../llm/semaphore.ts";

// What one workspace may have going at once: runs queued or running (checked when a run is created or resumed) and
// cells calling a model (held by the worker, see RunWorker.workspaceSemaphore). One team's ten-million-cell
// experiment then cannot take every slot of a shared server.

export interface RunCaps {
  /** runs queued or running at once in the workspace; default ASSAY_MAX_ACTIVE_RUNS */
  maxActiveRuns?: number;
}

/**
 * Runs `write` (which makes a run active) only when the workspace has room for one more active run. A transaction
 * lock per workspace serializes the check with the write, so two requests at once cannot both take the last slot.
 */
export async function withRoomForRun<T>(
  workspaceId: string,
  caps: RunCaps,
  write: (transaction: Prisma.TransactionClient) => Promise<T>,
  exceptRunId?: string,
): Promise<T> {
  const maxActiveRuns = caps.maxActiveRuns ?? configuredLimits.activeRuns;
  return db.$transaction(async (transaction) => {
    await transaction.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`assay-active-runs:${workspaceId}`}))`;
    const active = await transaction.run.count({
      where: {
        workspaceId,
        status: { in: ["queued", "running"] },
        ...(exceptRunId ? { id: { not: exceptRunId } } : {}),
      },
    });
    if (active >= maxActiveRuns) {
      throw new AppError(
        "rate_limit",
        "run",
        `This workspace already has ${formatCount(active)} runs queued or running, the most it may have at once ` +
          `(ASSAY_MAX_ACTIVE_RUNS=${maxActiveRuns}): wait for one to finish or cancel one.`,
      );
    }
    return write(transaction);
  });
}

/**
 * A run's semaphore that also takes a slot of its workspace's: a call then needs room in both its run (the run's
 * concurrency) and its workspace (ASSAY_MAX_CELLS_IN_FLIGHT). The run's slot is taken first, always, so the lock order
 * stays connection → run → workspace everywhere and no two calls can wait on each other.
 */
export class WorkspaceCappedSemaphore extends Semaphore {
  constructor(
    limit: number,
    private readonly workspace: Semaphore,
  ) {
    super(limit);
  }

  override async acquire(signal?: AbortSignal): Promise<void> {
    await super.acquire(signal);
    try {
      await this.workspace.acquire(signal);
    } catch (error) {
      // Aborted while waiting for the workspace: give the run's slot back, then report the abort as before.
      super.release();
      throw error;
    }
  }

  override release(): void {
    this.workspace.release();
    super.release();
  }
}
