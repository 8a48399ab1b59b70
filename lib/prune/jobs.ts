import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { cancelRun } from "../runs/service.ts";
import { checkPruneRequest, prunePrompt, type PruneOptions, type PruneReport, type PruneStep } from "./prune.ts";
import type { PruneInput } from "./schema.ts";

// Example pruning in the background: POST /api/prunings checks the request (bad input is a 400 and nothing is
// stored), stores a Pruning row and returns at once; the pruning runs in this process (its rounds are ordinary runs
// that the run engine's workers execute), writing its progress to the row after each run it starts and each round
// it ends, and the report when done. Cancel stops the current run through the run engine and ends the pruning.
// A pruning whose process ended (a restart) is found "running" with no owner and marked failed on the next read.

export type PruningState = "running" | "completed" | "failed" | "cancelled";

export interface PruningProgress {
  /** the round running now (1-based), null during the last full-vs-pruned comparison */
  round: number | null;
  /** at most this many rounds: one per example or counterexample */
  maxRounds: number;
  /** the variants of the current run: "full prompt", "without …" */
  trying: string[];
  runId: string | null;
  steps: PruneStep[];
}

export interface PruningView {
  id: string;
  versionId: string;
  suiteId: string;
  state: PruningState;
  progress: PruningProgress | null;
  report: PruneReport | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Prunings running in this process, by id; on globalThis because the web app's routes may each load this module. */
const holder = globalThis as typeof globalThis & { __assayPrunings?: Map<string, Promise<void>> };
const running = (holder.__assayPrunings ??= new Map<string, Promise<void>>());

function toView(row: {
  id: string; versionId: string; suiteId: string; state: string; progress: unknown; report: unknown; error: string | null; createdAt: Date; finishedAt: Date | null;
}): PruningView {
  return {
    id: row.id,
    versionId: row.versionId,
    suiteId: row.suiteId,
    state: row.state as PruningState,
    progress: (row.progress as PruningProgress | null) ?? null,
    report: (row.report as PruneReport | null) ?? null,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export interface StartPruningOptions {
  pollMs?: number;
}

export async function startPruning(workspaceId: string, userId: string, input: PruneInput, options: StartPruningOptions = {}): Promise<PruningView> {
  const { parsed, items } = await checkPruneRequest(workspaceId, input);
  const progress: PruningProgress = { round: 1, maxRounds: items.length, trying: [], runId: null, steps: [] };
  const row = await db.pruning.create({
    data: {
      workspaceId,
      createdById: userId,
      versionId: parsed.versionId,
      suiteId: parsed.suiteId,
      input: parsed as unknown as Prisma.InputJsonValue,
      progress: progress as unknown as Prisma.InputJsonValue,
    },
  });
  const save = (data: Prisma.PruningUpdateInput) => db.pruning.update({ where: { id: row.id }, data });
  const hooks: PruneOptions = {
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    onRun: async ({ runId, round, trying }) => {
      Object.assign(progress, { runId, round, trying });
      const updated = await save({ progress: progress as unknown as Prisma.InputJsonValue });
      // Cancelled while the run was being created: stop it now.
      if (updated.cancelRequested) await cancelRun(workspaceId, runId, userId);
    },
    onStep: (step) => {
      progress.steps.push(step);
    },
  };
  const job = (async () => {
    try {
      const report = await prunePrompt(workspaceId, userId, parsed, hooks);
      await save({ state: "completed", report: report as unknown as Prisma.InputJsonValue, progress: progress as unknown as Prisma.InputJsonValue, finishedAt: new Date() });
    } catch (error) {
      const current = await db.pruning.findUnique({ where: { id: row.id }, select: { cancelRequested: true } });
      const cancelled = current?.cancelRequested === true;
      await save({
        state: cancelled ? "cancelled" : "failed",
        error: cancelled ? "Cancelled" : error instanceof Error ? error.message : String(error),
        progress: progress as unknown as Prisma.InputJsonValue,
        finishedAt: new Date(),
      });
    } finally {
      running.delete(row.id);
    }
  })();
  running.set(row.id, job);
  return toView(row);
}

async function requirePruning(workspaceId: string, id: string) {
  const row = await db.pruning.findFirst({ where: { id, workspaceId } });
  if (!row) throw new AppError("not_found", "pruning", "No such pruning in this workspace");
  return row;
}

export async function getPruning(workspaceId: string, id: string): Promise<PruningView> {
  const row = await requirePruning(workspaceId, id);
  if (row.state === "running" && !running.has(row.id) && Date.now() - row.createdAt.getTime() > 5_000) {
    // Nobody in this process runs it: the process that did has ended (a restart). Say so rather than spin forever.
    const ended = await db.pruning.updateMany({
      where: { id: row.id, state: "running" },
      data: { state: "failed", error: "The server stopped while this pruning ran; start it again", finishedAt: new Date() },
    });
    if (ended.count > 0) return toView(await requirePruning(workspaceId, id));
  }
  return toView(row);
}

/** Waits for a pruning started in this process to end (tests and the CLI). */
export async function waitForPruning(workspaceId: string, id: string): Promise<PruningView> {
  await running.get(id);
  return getPruning(workspaceId, id);
}

export async function cancelPruning(workspaceId: string, id: string, actorId: string): Promise<PruningView> {
  const row = await requirePruning(workspaceId, id);
  if (row.state !== "running") throw new AppError("conflict", "pruning", `This pruning has already ${row.state === "completed" ? "completed" : `ended (${row.state})`}`);
  await db.pruning.update({ where: { id }, data: { cancelRequested: true } });
  const runId = (row.progress as PruningProgress | null)?.runId;
  if (runId) await cancelRun(workspaceId, runId, actorId);
  return toView(await requirePruning(workspaceId, id));
}
