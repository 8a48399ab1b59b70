import { Readable, pipeline } from "node:stream";
import { createInterface } from "node:readline";
import { parse as parseCsv, type CsvError } from "csv-parse";
import Parser from "stream-json/Parser.js";
import StreamArray from "stream-json/streamers/StreamArray.js";
import { AppError, type ErrorDetail } from "../errors.ts";
import { flattenIssues, formatIssuePath } from "../assertions/validate.ts";
import { canonicalCaseKeys, caseInput, type CaseFormat, type ParsedCase } from "./schema.ts";

// Streaming parsers for case files. Each yields validated cases one at a time and stops at the first bad row with
// an AppError naming it, so a 100,000-row file is never held in memory and a bad row is found before anything is
// written. Row numbers are the user's: CSV counts the header as row 1 (a spreadsheet's numbering), JSONL counts
// lines, JSON counts the array's items from 1.

export type CaseSource = Readable | AsyncIterable<string | Uint8Array> | ReadableStream<Uint8Array>;

export interface ParseOptions {
  /** default keys are "case-<startIndex + n>" for the n-th case (from 1) */
  startIndex?: number;
  /** names the source in messages, e.g. "cases.csv" */
  sourceName?: string;
}

export async function* parseCases(
  source: CaseSource,
  format: CaseFormat,
  options: ParseOptions = {},
): AsyncGenerator<ParsedCase> {
  const input = toReadable(source);
  const rows = format === "csv" ? csvRows(input) : format === "jsonl" ? jsonlRows(input) : jsonRows(input);
  let count = 0;
  try {
    for await (const { row, value } of rows) {
      count++;
      yield validateRow(value, row, `case-${(options.startIndex ?? 0) + count}`);
    }
  } catch (error) {
    if (error instanceof AppError && options.sourceName) {
      throw new AppError(error.code, error.subject, `${options.sourceName}: ${error.message}`, error.details);
    }
    throw error;
  } finally {
    input.destroy();
  }
}

interface RawRow {
  row: number;
  value: unknown;
}

export function validateRow(value: unknown, row: number, defaultKey: string): ParsedCase {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw rowError(row, [{ path: "", message: "a case must be an object" }]);
  }
  const canonical = canonicalCaseKeys(value as Record<string, unknown>);
  if ("conflict" in canonical && typeof canonical.conflict === "string") {
    throw rowError(row, [{ path: "", message: canonical.conflict }]);
  }
  const result = caseInput.safeParse(canonical);
  if (!result.success) {
    const issues = flattenIssues(result.error.issues).map((issue) => ({
      path: formatIssuePath(issue.path),
      message: issue.message,
    }));
    throw rowError(row, issues);
  }
  const data = result.data;
  return {
    row,
    key: data.key ?? defaultKey,
    keyGiven: data.key !== undefined,
    variables: data.variables,
    expected: data.expected ?? null,
    tags: data.tags,
    assertions: data.assertions,
  };
}

export function rowError(row: number, issues: { path: string; message: string }[]): AppError {
  const first = issues[0] ?? { path: "", message: "invalid row" };
  const where = first.path ? `${first.path}: ` : "";
  const details: ErrorDetail[] = issues.map((issue) => ({
    row,
    ...(issue.path ? { path: issue.path } : {}),
    message: issue.message,
  }));
  return new AppError("bad_request", "import", `Row ${row}: ${where}${first.message}`, details);
}

const reservedColumns: Record<string, "key" | "expected" | "tags" | "assertions"> = {
  id: "key",
  key: "key",
  expected: "expected",
  tags: "tags",
  assertions: "assertions",
  assert: "assertions",
};

type Column = { kind: "key" | "expected" | "tags" | "assertions" } | { kind: "variable"; name: string };

function csvColumns(header: string[]): Column[] {
  const seen = new Map<string, number>();
  return header.map((raw, index) => {
    const title = raw.trim();
    if (title === "") throw rowError(1, [{ path: `column ${index + 1}`, message: "the header has an empty column name" }]);
    const reserved = reservedColumns[title.toLowerCase()];
    const column: Column = reserved
      ? { kind: reserved }
      : { kind: "variable", name: title.startsWith("vars.") ? title.slice(5) : title };
    const identity = column.kind === "variable" ? `variable ${column.name}` : column.kind;
    const before = seen.get(identity);
    if (before !== undefined) {
      throw rowError(1, [
        { path: `column ${index + 1}`, message: `"${title}" repeats column ${before + 1} ("${header[before]?.trim()}")` },
      ]);
    }
    if (column.kind === "variable" && column.name === "") {
      throw rowError(1, [{ path: `column ${index + 1}`, message: '"vars." needs a variable name after the dot' }]);
    }
    seen.set(identity, index);
    return column;
  });
}

async function* csvRows(input: Readable): AsyncGenerator<RawRow> {
  const parser = input.pipe(parseCsv({ bom: true, info: true, skip_empty_lines: true }));
  input.once("error", (error) => parser.destroy(error));
  let columns: Column[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
      if (!columns) {
        columns = csvColumns(record);
        continue;
      }
      const row = info.records; // the header is record 1, so data record n is row n + 1 in a spreadsheet
      const value: Record<string, unknown> = { variables: {} };
      const variables = value.variables as Record<string, string>;
      for (const [index, column] of columns.entries()) {
        const cell = record[index] ?? "";
        if (column.kind === "variable") variables[column.name] = cell;
        else if (column.kind === "key") {
          if (cell.trim() !== "") value.key = cell;
        } else if (column.kind === "expected") {
          if (cell !== "") value.expected = cell;
        } else if (column.kind === "tags") value.tags = splitTags(cell);
        else if (cell.trim() !== "") value.assertions = parseJsonCell(cell, row, "assertions");
      }
      yield { row, value };
    }
  } catch (error) {
    if (isCsvError(error)) {
      const row = (error.records ?? 0) + 1;
      throw rowError(row, [{ path: "", message: error.message }]);
    }
    throw error;
  }
}

/** Tags in one cell: separated by "|" when the cell has one, else by commas. */
export function splitTags(cell: string): string[] {
  const separator = cell.includes("|") ? "|" : ",";
  return cell
    .split(separator)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}

function parseJsonCell(cell: string, row: number, path: string): unknown {
  try {
    return JSON.parse(cell);
  } catch (error) {
    throw rowError(row, [{ path, message: `not valid JSON (${(error as Error).message})` }]);
  }
}

async function* jsonlRows(input: Readable): AsyncGenerator<RawRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  try {
    for await (const line of lines) {
      row++;
      const text = row === 1 ? line.replace(/^\uFEFF/, "") : line;
      if (text.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw rowError(row, [{ path: "", message: `not valid JSON (${(error as Error).message})` }]);
      }
      yield { row, value };
    }
  } finally {
    lines.close();
  }
}

// stream-json discards the tokens it had buffered when it meets a syntax error, so counting the items that reach
// the consumer undercounts; this parser counts complete top-level items as it emits their tokens instead.
class CountingParser extends Parser {
  completed = 0;
  private depth = 0;

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    const name = (chunk as { name?: string } | null)?.name;
    if (name === "startObject" || name === "startArray") this.depth++;
    else if (name === "endObject" || name === "endArray") {
      this.depth--;
      if (this.depth === 1) this.completed++;
    } else if (this.depth === 1 && name !== undefined && scalarTokens.has(name)) this.completed++;
    return super.push(chunk, encoding);
  }
}

const scalarTokens = new Set(["stringValue", "numberValue", "nullValue", "trueValue", "falseValue"]);

async function* jsonRows(input: Readable): AsyncGenerator<RawRow> {
  const parser = new CountingParser();
  const items = pipeline(input, parser, StreamArray.streamArray(), () => {
    // errors surface through the async iteration below
  });
  try {
    for await (const item of items as AsyncIterable<{ key: number; value: unknown }>) {
      yield { row: item.key + 1, value: item.value };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = (error as Error).message;
    if (/Top-level object should be an array/.test(message)) {
      throw new AppError("bad_request", "import", "A JSON case file must be an array of cases: [{...}, {...}]");
    }
    throw rowError(parser.completed + 1, [{ path: "", message: `not valid JSON (${message})` }]);
  } finally {
    items.destroy();
  }
}

function toReadable(source: CaseSource): Readable {
  if (source instanceof Readable) return source;
  if (typeof (source as ReadableStream<Uint8Array>).getReader === "function") {
    return Readable.fromWeb(source as import("node:stream/web").ReadableStream<Uint8Array>);
  }
  return Readable.from(source as AsyncIterable<string | Uint8Array>);
}

function isCsvError(error: unknown): error is CsvError & { records?: number } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("CSV_");
}
