import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import { AppError, type ErrorDetail } from "../errors.ts";
import { flattenIssues, formatIssuePath } from "../assertions/validate.ts";
import { suiteFile, type SuiteFile } from "./schema.ts";

// Reading a suite file: YAML (or JSON, which is YAML) parsed with positions, validated with zod, and every problem
// reported as "file:line:column: key.path: message".

export interface ParsedSuiteFile {
  config: SuiteFile;
  /** line (1-based) of a key path, for errors found later (a case's missing variable) */
  lineOf(path: readonly PropertyKey[]): number | null;
  /** the data as written, stored with the run */
  raw: unknown;
}

export function suiteFileError(fileName: string, problems: ErrorDetail[]): AppError {
  const lines = problems.map((problem) => {
    const where = problem.line !== undefined ? `${fileName}:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ""}` : fileName;
    return `${where}: ${problem.path ? `${problem.path}: ` : ""}${problem.message}`;
  });
  return new AppError("bad_request", "suite-file", lines.join("\n"), problems);
}

function locate(document: Document, counter: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } | null {
  const at = (offset: number) => {
    const position = counter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  // A key's own position first ("unknown key" points at the key, not at its value).
  const last = path[path.length - 1];
  if (typeof last === "string") {
    const parent = document.getIn(path.slice(0, -1) as (string | number)[], true);
    if (isNode(parent) && "items" in parent && Array.isArray(parent.items)) {
      for (const item of parent.items as { key?: unknown }[]) {
        const key = item.key;
        if (isNode(key) && "value" in key && key.value === last && key.range) return at(key.range[0]);
      }
    }
  }
  // Otherwise the deepest node that exists on the path: a missing key points at the mapping that lacks it.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) return at(node.range[0]);
  }
  return null;
}

/** A YAML (or JSON) text parsed with positions: the data, and the line and column of any key path. */
export interface PositionedYaml {
  raw: unknown;
  locate(path: readonly PropertyKey[]): { line: number; column: number } | null;
}

export function readPositionedYaml(text: string, fileName: string): PositionedYaml {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw suiteFileError(
      fileName,
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          ...(position ? { line: position.line, column: position.col } : {}),
          message: `invalid YAML: ${error.message.split("\n")[0]}`,
        };
      }),
    );
  }
  return { raw: document.toJS({ maxAliasCount: 100 }), locate: (path) => locate(document, counter, path) };
}

export function parseSuiteFile(text: string, fileName: string): ParsedSuiteFile {
  return validateSuiteFile(readPositionedYaml(text, fileName), fileName);
}

/** Validates suite-file data; `positions` says where each key path was written (for a converted file: its source). */
export function validateSuiteFile(positions: PositionedYaml, fileName: string): ParsedSuiteFile {
  const { raw } = positions;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw suiteFileError(fileName, [{ line: 1, message: "a suite file is a mapping with name, prompts, targets and cases" }]);
  }
  const result = suiteFile.safeParse(raw);
  if (!result.success) {
    throw suiteFileError(
      fileName,
      flattenIssues(result.error.issues).map((issue) => ({
        path: formatIssuePath(issue.path),
        ...(positions.locate(issue.path) ?? {}),
        message: issue.message,
      })),
    );
  }
  return {
    config: result.data,
    raw,
    lineOf: (path) => positions.locate(path)?.line ?? null,
  };
}
