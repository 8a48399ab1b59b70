import { z } from "zod";

// Inputs of the compare screen's routes, shared with its pages and forms.

const id = z.string().trim().min(1).max(100);

/** "a,b,c" from a query string, or an array from JSON. The first variant is the baseline. */
export const variantList = z
  .union([z.string(), z.array(id)])
  .transform((value) => (typeof value === "string" ? value.split(",").map((item) => item.trim()).filter(Boolean) : value))
  .pipe(
    z
      .array(id)
      .min(2, "choose at least two variants to compare")
      .max(12, "compare at most 12 variants at once")
      .refine((ids) => new Set(ids).size === ids.length, "a variant appears twice in the comparison"),
  );

export const compareQuery = z.object({ variants: variantList });
export type CompareQuery = z.infer<typeof compareQuery>;

export const caseDetailQuery = z.object({ variants: variantList, key: z.string().min(1, "key: which case?").max(500) });

export const pairQuery = z.object({ a: id, b: id }).refine((value) => value.a !== value.b, { message: "a and b must be different variants", path: ["b"] });

export const voteChoice = z.enum(["left", "right", "tie"]);

export const recordVoteInput = z.strictObject({
  variantAId: id,
  variantBId: id,
  caseId: id,
  repeat: z.int().min(0).default(0),
  leftVariantId: id,
  choice: voteChoice,
});
export type RecordVoteInput = z.input<typeof recordVoteInput>;

export const judgeInput = z.strictObject({
  variantAId: id,
  variantBId: id,
  connectionId: id,
  model: z.string().trim().min(1, "model: which model judges?").max(200),
  rubric: z.string().trim().min(10, "rubric: say in a sentence or more what makes an answer better").max(8000),
  /** cases judged in this pass (each takes two calls); the rest can follow in another pass */
  limit: z.int().min(1).max(5000).default(200),
  concurrency: z.int().min(1).max(32).default(4),
});
export type JudgeInput = z.input<typeof judgeInput>;

export const ablationInput = z.strictObject({
  versionId: id,
  suiteId: id,
  connectionId: id,
  model: z.string().trim().min(1, "model: which model runs the ablation?").max(200),
  /** also run k = 1 … n − 1 examples */
  exampleSweep: z.boolean().default(false),
  repeats: z.int().min(1).max(20).default(1),
  concurrency: z.int().min(1).max(200).default(10),
});
export type AblationInput = z.input<typeof ablationInput>;

export const outputsInput = z.strictObject({
  variants: z.array(id).min(1).max(12),
  keys: z.array(z.string().min(1).max(500)).max(400, "keys: ask for at most 400 cases at a time"),
});

export const searchQuery = z.object({ variants: variantList, q: z.string().trim().min(1, "q: what to search for").max(200) });
