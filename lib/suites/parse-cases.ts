import { Readable, Transform, pipeline } from "node:stream";
import { parse as parseCsv, type CsvError } from "csv-parse";
import Parser from "stream-json/Parser.js";
import StreamArray from "stream-json/streamers/StreamArray.js";
import { restoreFormula } from "../csv-formula.ts";
import { AppError, type ErrorDetail } from "../errors.ts";
import { flattenIssues, formatIssuePath } from "../assertions/validate.ts";
import { bodyTooLarge } from "../http/read-body.ts";
import { configuredLimits } from "../configured-limits.ts";
import { limits } from "../limits.ts";
import { formatByteLimit, formatCount } from "../format.ts";
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
  /** caps; defaults from configured-limits.ts and limits.ts (tests inject small ones) */
  limits?: ImportLimits;
}

export interface ImportLimits {
  /** bytes of the whole file (ASSAY_MAX_IMPORT_BYTES) */
  maxBytes?: number;
  /** cases in the file (ASSAY_MAX_IMPORT_ROWS) */
  maxRows?: number;
  /** one JSONL line in bytes, one CSV record in characters (csv-parse counts those) */
  maxRecordBytes?: number;
}

function resolvedLimits(given: ImportLimits = {}): Required<ImportLimits> {
  return {
    maxBytes: given.maxBytes ?? configuredLimits.importBytes,
    maxRows: given.maxRows ?? configuredLimits.importRows,
    maxRecordBytes: given.maxRecordBytes ?? limits.importRecordBytes,
  };
}

export async function* parseCases(
  source: CaseSource,
  format: CaseFormat,
  options: ParseOptions = {},
): AsyncGenerator<ParsedCase> {
  const caps = resolvedLimits(options.limits);
  const raw = toReadable(source);
  const input = raw.pipe(byteBudget(caps.maxBytes));
  raw.once("error", (error) => input.destroy(error));
  const rows =
    format === "csv"
      ? csvRows(input, caps.maxRecordBytes)
      : format === "jsonl"
        ? jsonlRows(input, caps.maxRecordBytes)
        : jsonRows(input);
  let count = 0;
  try {
    for await (const { row, value } of rows) {
      count++;
      if (count > caps.maxRows) {
        throw new AppError(
          "payload_too_large",
          "import",
          `The file has more than ${formatCount(caps.maxRows)} cases (ASSAY_MAX_IMPORT_ROWS): split it into several imports.`,
          [{ row, message: `at most ${formatCount(caps.maxRows)} cases` }],
        );
      }
      yield validateRow(value, row, `case-${(options.startIndex ?? 0) + count}`);
    }
  } catch (error) {
    if (error instanceof AppError && options.sourceName) {
      throw new AppError(error.code, error.subject, `${options.sourceName}: ${error.message}`, error.details);
    }
    throw error;
  } finally {
    input.destroy();
    raw.destroy();
  }
}

/** Passes bytes through until `maxBytes`, then fails the stream with a 413 naming the limit. */
function byteBudget(maxBytes: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      total += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (total > maxBytes) callback(bodyTooLarge(maxBytes, "ASSAY_MAX_IMPORT_BYTES", "The file"));
      else callback(null, chunk);
    },
  });
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

async function* csvRows(input: Readable, maxRecordBytes: number): AsyncGenerator<RawRow> {
  // max_record_size counts characters of the record being read: a quote left open cannot make the parser buffer the
  // rest of the file.
  const parser = input.pipe(parseCsv({ bom: true, info: true, skip_empty_lines: true, max_record_size: maxRecordBytes }));
  input.once("error", (error) => parser.destroy(error));
  let columns: Column[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
      if (!columns) {
        columns = csvColumns(record.map(restoreFormula));
        continue;
      }
      const row = info.records; // the header is record 1, so data record n is row n + 1 in a spreadsheet
      const value: Record<string, unknown> = { variables: {} };
      const variables = value.variables as Record<string, string>;
      for (const [index, column] of columns.entries()) {
        // Our own exports quote cells that look like formulas (csv-formula.ts); the quote is not part of the value.
        const cell = restoreFormula(record[index] ?? "");
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
      if (error.code === "CSV_MAX_RECORD_SIZE") {
        throw rowError(row, [{ path: "", message: `the record is longer than ${formatCount(maxRecordBytes)} characters (a quote left open?)` }]);
      }
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

async function* jsonlRows(input: Readable, maxLineBytes: number): AsyncGenerator<RawRow> {
  let row = 0;
  for await (const line of boundedLines(input, maxLineBytes)) {
    row++;
    const text = (row === 1 ? line.replace(/^\uFEFF/, "") : line).replace(/\r$/, "");
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw rowError(row, [{ path: "", message: `not valid JSON (${(error as Error).message})` }]);
    }
    yield { row, value };
  }
}

/**
 * Lines of a stream, each refused once it passes `maxBytes` without a newline (readline would buffer a line of any
 * length: a file with no newline at all would be held whole).
 */
async function* boundedLines(input: Readable, maxBytes: number): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNumber = 1;
  const tooLong = () =>
    rowError(lineNumber, [{ path: "", message: `the line is longer than ${formatByteLimit(maxBytes)}` }]);
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let newline = buffer.indexOf(0x0a);
    while (newline !== -1) {
      if (pendingBytes + newline > maxBytes) throw tooLong();
      pending.push(buffer.subarray(0, newline));
      yield Buffer.concat(pending).toString("utf8");
      lineNumber++;
      pending = [];
      pendingBytes = 0;
      buffer = buffer.subarray(newline + 1);
      newline = buffer.indexOf(0x0a);
    }
    pendingBytes += buffer.byteLength;
    if (pendingBytes > maxBytes) throw tooLong();
    pending.push(buffer);
  }
  if (pendingBytes > 0) yield Buffer.concat(pending).toString("utf8");
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
