import { z } from "zod";
import { modelParams, promptVersionInput } from "../prompts/schema.ts";

// Shared by POST /api/runs, the CLI and the compare screen's ablations.

export const inlineTarget = z.strictObject({
  baseURL: z.url({ message: "baseURL must be a URL such as https://api.openai.com/v1" }),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "apiKeyEnv is the name of an environment variable, such as OPENAI_API_KEY")
    .optional(),
  inputPricePerM: z.number().nonnegative().optional(),
  outputPricePerM: z.number().nonnegative().optional(),
});

/** A prompt's content as a run stores it: the shape of a version without its storage fields. */
export const promptContent = promptVersionInput.pick({
  messages: true,
  examples: true,
  counterexamples: true,
  exampleMode: true,
});

export const variantSpec = z
  .strictObject({
    label: z.string().trim().min(1).max(200).optional(),
    versionId: z.string().min(1).optional(),
    prompt: promptContent.optional(),
    connectionId: z.string().min(1).optional(),
    target: inlineTarget.optional(),
    model: z.string().trim().min(1, "a variant needs a model").max(200),
    params: modelParams.default({}),
  })
  .superRefine((variant, context) => {
    if (!variant.versionId && !variant.prompt) {
      context.addIssue({ code: "custom", path: ["prompt"], message: "a variant needs a prompt version or a prompt" });
    }
    if (!variant.connectionId === !variant.target) {
      context.addIssue({
        code: "custom",
        path: ["connectionId"],
        message: "a variant needs exactly one of connectionId (a stored connection) or target (an inline base URL)",
      });
    }
  });

export const judgeSpec = z
  .strictObject({
    connectionId: z.string().min(1).optional(),
    target: inlineTarget.optional(),
    model: z.string().trim().min(1).max(200),
    params: modelParams.default({}),
  })
  .superRefine((judge, context) => {
    if (!judge.connectionId === !judge.target) {
      context.addIssue({ code: "custom", path: ["connectionId"], message: "the judge needs exactly one of connectionId or target" });
    }
  });

export const MAX_CELLS = 2_000_000;

export const createRunInput = z.strictObject({
  suiteId: z.string().min(1, "choose a suite"),
  name: z.string().trim().max(200).optional(),
  variants: z.array(variantSpec).min(1, "a run needs at least one variant").max(50, "at most 50 variants in one run"),
  repeats: z.int().min(1).max(100).default(1),
  concurrency: z.int().min(1).max(500).default(10),
  cache: z.boolean().default(false),
  timeoutMs: z.int().min(100).max(600_000).optional(),
  maxRetries: z.int().min(0).max(10).default(3),
  judge: judgeSpec.optional(),
  caseIds: z.array(z.string().min(1)).min(1).max(MAX_CELLS).optional(),
  tags: z.array(z.string().trim().min(1)).min(1).max(50).optional(),
});

export type CreateRunInputParsed = z.output<typeof createRunInput>;
export type CreateRunInputRaw = z.input<typeof createRunInput>;
export type VariantSpecParsed = z.output<typeof variantSpec>;
export type JudgeSpecParsed = z.output<typeof judgeSpec>;
export type InlineTargetInput = z.output<typeof inlineTarget>;

export const resultFilter = z.enum(["all", "failures", "errors", "disagree"]);

export const listResultsQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  filter: resultFilter.default("all"),
  search: z.string().trim().max(200).optional(),
});

export const exportFormat = z.enum(["json", "jsonl", "csv"]);
