import { z } from "zod";
import { assertionList, type Assertion } from "../assertions/schema.ts";
import { cappedJsonValue, cappedString, limits } from "../limits.ts";
import { formatCount } from "../format.ts";

/** A case's variables: any JSON values, each within the variable cap, at most `limits.variables` of them. */
const caseVariables = z
  .record(z.string().max(200, "a variable name is at most 200 characters"), cappedJsonValue)
  .refine((values) => Object.keys(values).length <= limits.variables, `at most ${formatCount(limits.variables)} variables`);
const expectedOutput = cappedString(limits.expectedCharacters);

// Shared by route handlers, the importers, the suite file and the CLI.

export const caseFormats = ["csv", "jsonl", "json"] as const;
export type CaseFormat = (typeof caseFormats)[number];

export const caseKey = z
  .string()
  .trim()
  .min(1, "a case key cannot be empty")
  .max(200, "a case key is at most 200 characters");

const tag = z.string().trim().min(1, "a tag cannot be empty").max(100, "a tag is at most 100 characters");

/** One case as written in a JSON/JSONL row, a suite file, or a form. */
export const caseInput = z.strictObject({
  key: caseKey.optional().describe('The case id, unique in the suite; default "case-<n>"'),
  variables: caseVariables.default({}).describe("Values for the prompt's {{variables}}"),
  expected: expectedOutput.nullable().optional().describe("The expected output, used by assertions without a value"),
  tags: z.array(tag).max(50).default([]),
  assertions: assertionList.default([]).describe("Assertions for this case, added to the suite's defaults"),
});

export type CaseInput = z.input<typeof caseInput>;

// Other spellings a row may use (promptfoo-style `vars`, `assert`; `id` as in the CSV header).
const aliases: Record<string, keyof CaseInput> = { id: "key", vars: "variables", assert: "assertions" };

/** Moves `id`, `vars` and `assert` to their canonical keys; both spellings at once is a problem reported by path. */
export function canonicalCaseKeys(row: Record<string, unknown>): Record<string, unknown> | { conflict: string } {
  let result: Record<string, unknown> | undefined;
  for (const [alias, canonical] of Object.entries(aliases)) {
    if (!Object.hasOwn(row, alias)) continue;
    if (Object.hasOwn(row, canonical)) return { conflict: `use either "${alias}" or "${canonical}", not both` };
    result ??= { ...row };
    result[canonical] = result[alias];
    delete result[alias];
  }
  return result ?? row;
}

/** A validated case, with its row number in the source (1-based, as the user counts rows). */
export interface ParsedCase {
  row: number;
  key: string;
  /** false when the key was generated ("case-<n>") rather than given */
  keyGiven: boolean;
  variables: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  assertions: Assertion[];
}

export const createSuiteInput = z.strictObject({
  name: z.string().trim().min(1, "a suite needs a name").max(200),
  description: z.string().max(10_000).default(""),
  assertions: assertionList.default([]).describe("Default assertions applied to every case"),
});
export type CreateSuiteInput = z.input<typeof createSuiteInput>;

// Not createSuiteInput.partial(): its defaults would still apply, and renaming a suite would wipe its description and
// default assertions.
export const updateSuiteInput = z.strictObject({
  name: z.string().trim().min(1, "a suite needs a name").max(200).optional(),
  description: z.string().max(10_000).optional(),
  assertions: assertionList.optional(),
});
export type UpdateSuiteInput = z.input<typeof updateSuiteInput>;

export const upsertCaseInput = z.strictObject({
  /** the case to update; omitted to add a case at the end */
  id: z.string().min(1).optional(),
  key: caseKey.optional(),
  variables: caseVariables.default({}),
  expected: expectedOutput.nullable().optional(),
  tags: z.array(tag).max(50).default([]),
  assertions: assertionList.default([]),
});
export type UpsertCaseInput = z.input<typeof upsertCaseInput>;

export const importOptions = z.strictObject({
  mode: z.enum(["append", "replace"]).default("append"),
  /** replace deletes the old cases and, through them, stored run results for them: that must be asked for */
  discardResults: z.boolean().default(false),
});
export type ImportOptions = z.input<typeof importOptions>;
