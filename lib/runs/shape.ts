import { db } from "../db.ts";
import type { RunShape } from "./cells.ts";
import type { StoredRunConfig } from "./types.ts";

/** A stored run's cells as cells.ts describes them. */
export async function runShape(runId: string): Promise<(RunShape & { concurrency: number; queue: string }) | null> {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: { variants: { orderBy: { position: "asc" }, select: { id: true } } },
  });
  if (!run || !run.suiteId) return null;
  const config = run.config as unknown as StoredRunConfig;
  return {
    runId,
    selection: {
      suiteId: run.suiteId,
      createdAt: new Date(config.casesAsOf ?? run.createdAt.toISOString()),
      ...(config.input.caseIds ? { caseIds: config.input.caseIds } : {}),
      ...(config.input.tags ? { tags: config.input.tags } : {}),
    },
    variantIds: run.variants.map((variant) => variant.id),
    repeats: run.repeats,
    concurrency: run.concurrency,
    queue: config.queue,
  };
}
