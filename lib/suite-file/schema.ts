import { z } from "zod";
import { assertionList } from "../assertions/schema.ts";
import { modelParams, promptVersionInput } from "../prompts/schema.ts";
import { caseInput } from "../suites/schema.ts";

// The suite file of `assay eval` (docs/suite-file.md; JSON Schema in docs/suite-file.schema.json). Variants are
// every prompt × every target.

const label = z.string().trim().min(1).max(100);

export const storedPrompt = z.strictObject({
  label: label.optional(),
  ref: z.string().trim().min(1).describe("a stored version: name, name@3 or name@label"),
});

export const inlinePrompt = promptVersionInput
  .pick({ messages: true, examples: true, counterexamples: true, exampleMode: true })
  .extend({ label: label.optional() })
  .strict();

export const promptEntry = z.union([z.string().trim().min(1), storedPrompt, inlinePrompt]);

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "the name of an environment variable, such as OPENAI_API_KEY");

export const connectionTarget = z.strictObject({
  label: label.optional(),
  connection: z.string().trim().min(1).describe("a stored connection, by name"),
  model: z.string().trim().min(1),
  params: modelParams.default({}),
});

export const inlineTargetEntry = z.strictObject({
  label: label.optional(),
  baseURL: z.url({ message: "baseURL must be a URL such as https://api.openai.com/v1" }),
  apiKeyEnv: envName.optional(),
  model: z.string().trim().min(1),
  params: modelParams.default({}),
  inputPricePerM: z.number().nonnegative().optional(),
  outputPricePerM: z.number().nonnegative().optional(),
});

export const targetEntry = z.union([connectionTarget, inlineTargetEntry]);

export const caseFile = z.strictObject({
  path: z.string().trim().min(1),
  format: z.enum(["csv", "jsonl", "json"]).optional(),
});

export const suiteFile = z.strictObject({
  name: z.string().trim().min(1, "name the suite").max(200),
  description: z.string().max(10_000).default(""),
  prompts: z.array(promptEntry).min(1, "list at least one prompt"),
  targets: z.array(targetEntry).min(1, "list at least one target"),
  judge: targetEntry.optional(),
  assertions: assertionList.default([]),
  cases: z.union([z.string().trim().min(1), caseFile, z.array(z.unknown()).min(1, "list at least one case")]),
  repeats: z.int().min(1).max(100).default(1),
  concurrency: z.int().min(1).max(500).default(10),
  cache: z.boolean().default(false),
  timeoutMs: z.int().min(100).max(600_000).optional(),
  maxRetries: z.int().min(0).max(10).default(3),
  threshold: z.number().min(0).max(1).optional().describe("pass rate every variant must reach; default 1 (every case passes)"),
});

export type SuiteFile = z.output<typeof suiteFile>;
export type PromptEntry = z.output<typeof promptEntry>;
export type TargetEntry = z.output<typeof targetEntry>;

export { caseInput };
