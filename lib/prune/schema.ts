import { z } from "zod";

// Inputs of example pruning, shared by its routes and its tests.

const id = z.string().trim().min(1).max(100);

export const pruneInput = z.strictObject({
  versionId: id,
  suiteId: id,
  connectionId: id,
  model: z.string().trim().min(1, "model: which model runs the pruning?").max(200),
  /** how many pass-rate points below the full prompt a pruned prompt may be and still count as not worse */
  marginPoints: z.number().min(0, "marginPoints: at least 0").max(50, "marginPoints: at most 50 points").default(2),
  /** significance of the paired test that would show a pruned prompt worse than the full one */
  alpha: z.number().gt(0, "alpha: above 0").lt(1, "alpha: below 1").default(0.05),
  concurrency: z.int().min(1).max(200).default(10),
});
export type PruneInput = z.input<typeof pruneInput>;

const itemIndexes = z.array(z.int().min(0)).max(1000).refine((indexes) => new Set(indexes).size === indexes.length, "an index appears twice");

export const prunedDraftInput = z.strictObject({
  versionId: id,
  /** positions (0-based) in the version's examples to keep */
  keepExamples: itemIndexes,
  keepCounterexamples: itemIndexes,
  commitMessage: z.string().trim().max(500).optional(),
});
export type PrunedDraftInput = z.input<typeof prunedDraftInput>;
