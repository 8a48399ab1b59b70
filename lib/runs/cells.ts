import { db, Prisma } from "../db.ts";
import type { Cell, ChunkJob } from "./queue.ts";

// Which cells a run has, and which of them still need a result. A run covers the suite's cases that existed when it
// was created (or the ones it names, or those with its tags), × its variants × its repeats; a case deleted since
// takes its results with it and drops out.

export interface CaseSelection {
  suiteId: string;
  createdAt: Date;
  caseIds?: string[];
  tags?: string[];
}

export function selectionWhere(selection: CaseSelection): Prisma.CaseWhereInput {
  return {
    suiteId: selection.suiteId,
    createdAt: { lte: selection.createdAt },
    ...(selection.caseIds ? { id: { in: selection.caseIds } } : {}),
    ...(selection.tags ? { tags: { hasSome: selection.tags } } : {}),
  };
}

const PAGE = 2_000;

/** Case ids in suite order, a page at a time. */
export async function* selectedCaseIds(selection: CaseSelection): AsyncGenerator<string[]> {
  let after: { position: number; id: string } | null = null;
  const where = selectionWhere(selection);
  for (;;) {
    const rows: { id: string; position: number }[] = await db.case.findMany({
      where: after
        ? { AND: [where, { OR: [{ position: { gt: after.position } }, { position: after.position, id: { gt: after.id } }] }] }
        : where,
      orderBy: [{ position: "asc" }, { id: "asc" }],
      take: PAGE,
      select: { id: true, position: true },
    });
    if (rows.length === 0) return;
    yield rows.map((row) => row.id);
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return;
    after = last;
  }
}

export interface RunShape {
  runId: string;
  selection: CaseSelection;
  variantIds: string[];
  repeats: number;
}

/**
 * The cells without a stored result, case by case in suite order, each case's variants and repeats together so the
 * variants of a case run close in time (a fair comparison when a provider's latency drifts).
 */
export async function* missingCells(shape: RunShape): AsyncGenerator<Cell> {
  for await (const caseIds of selectedCaseIds(shape.selection)) {
    const done = await db.result.findMany({
      where: { runId: shape.runId, caseId: { in: caseIds } },
      select: { caseId: true, variantId: true, repeat: true },
    });
    const stored = new Set(done.map((row) => `${row.caseId}/${row.variantId}/${row.repeat}`));
    for (const caseId of caseIds) {
      for (let repeat = 0; repeat < shape.repeats; repeat++) {
        for (const [position, variantId] of shape.variantIds.entries()) {
          if (!stored.has(`${caseId}/${variantId}/${repeat}`)) yield [caseId, position, repeat];
        }
      }
    }
  }
}

/**
 * Cells per job: the run's concurrency (5 to 100). A job costs a fetch and a completion (two commits) and the reads
 * of its cases; at half the concurrency that bookkeeping took a tenth of a worker's CPU at 500 calls/s. A run of
 * 1,000 cells is still 20 jobs that several workers share.
 */
export function chunkSize(concurrency: number): number {
  return Math.max(5, Math.min(100, concurrency));
}

export async function* chunksOf(runId: string, cells: AsyncIterable<Cell>, size: number): AsyncGenerator<ChunkJob> {
  let current: Cell[] = [];
  for await (const cell of cells) {
    current.push(cell);
    if (current.length >= size) {
      yield { runId, cells: current };
      current = [];
    }
  }
  if (current.length > 0) yield { runId, cells: current };
}

export async function countSelectedCases(selection: CaseSelection): Promise<number> {
  return db.case.count({ where: selectionWhere(selection) });
}
