import { z } from "zod";
import { caseFile, caseInput, suiteFile } from "./schema.ts";

// The suite file's JSON Schema, for editors (a `# yaml-language-server: $schema=…` line) and for docs: generated
// from the same zod schema `assay eval` validates with, so the two cannot drift (a test compares it with
// docs/suite-file.schema.json; `assay eval --schema` prints it).

export function suiteFileJsonSchema(): Record<string, unknown> {
  // Inline cases are checked one by one after parsing, to report each with its line; the schema describes them.
  const documented = suiteFile.extend({
    cases: z
      .union([
        z.string().trim().min(1).describe("a CSV, JSONL or JSON file of cases, relative to the suite file"),
        caseFile,
        z.array(caseInput).min(1),
      ])
      .describe("the cases: inline, or a file path"),
  });
  const schema = z.toJSONSchema(documented, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
  return {
    $schema: schema.$schema,
    $id: "https://assay.dev/schemas/suite-file.schema.json",
    title: "Assay suite file",
    description: "An evaluation suite for `assay eval`: prompts × targets, run on cases and checked by assertions.",
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema")),
  };
}
