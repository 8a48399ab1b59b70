import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.ts";
import { parseCases, validateRow } from "../suites/parse-cases.ts";
import type { CaseFormat, ParsedCase } from "../suites/schema.ts";
import type { ParsedSuiteFile } from "./parse.ts";
import { suiteFileError } from "./parse.ts";

// The cases of a suite file: written inline, or a CSV/JSONL/JSON file next to it, streamed. Each case says where it
// came from, so a later problem (a variable a prompt needs) names the line or row.

export interface FileCase extends ParsedCase {
  /** "suite.yaml:23" or "cases.csv row 7" */
  where: string;
}

function formatOf(file: string, given: CaseFormat | undefined, fileName: string, line: number | null): CaseFormat {
  if (given) return given;
  const extension = path.extname(file).toLowerCase().slice(1);
  if (extension === "csv" || extension === "jsonl" || extension === "json") return extension;
  if (extension === "ndjson") return "jsonl";
  throw suiteFileError(fileName, [
    { ...(line ? { line } : {}), path: "cases", message: `cannot tell the format of "${file}": use .csv, .jsonl or .json, or give format` },
  ]);
}

export async function* readCases(parsed: ParsedSuiteFile, fileName: string, baseDir: string): AsyncGenerator<FileCase> {
  const cases = parsed.config.cases;
  if (Array.isArray(cases)) {
    for (const [index, value] of cases.entries()) {
      const line = parsed.lineOf(["cases", index]);
      try {
        const row = validateRow(value, index + 1, `case-${index + 1}`);
        yield { ...row, where: `${fileName}:${line ?? "?"}` };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        throw suiteFileError(
          fileName,
          error.details.map((detail) => ({
            ...(line ? { line } : {}),
            path: `cases[${index}]${detail.path ? `.${detail.path}` : ""}`,
            message: detail.message,
          })),
        );
      }
    }
    return;
  }
  const spec = typeof cases === "string" ? { path: cases, format: undefined } : cases;
  const line = parsed.lineOf(["cases"]);
  const file = path.resolve(baseDir, spec.path);
  try {
    await access(file);
  } catch {
    throw suiteFileError(fileName, [{ ...(line ? { line } : {}), path: "cases", message: `cannot read the case file "${spec.path}" (looked for ${file})` }]);
  }
  const format = formatOf(spec.path, spec.format, fileName, line);
  for await (const row of parseCases(createReadStream(file), format, { sourceName: spec.path })) {
    yield { ...row, where: `${spec.path} row ${row.row}` };
  }
}
