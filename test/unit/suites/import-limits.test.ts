import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { AppError, httpStatusOf } from "../../../lib/errors.ts";
import { parseCases, type ImportLimits } from "../../../lib/suites/parse-cases.ts";
import type { CaseFormat } from "../../../lib/suites/schema.ts";

// Case-file caps, with small limits injected (the defaults are 200 MB, 1,000,000 rows and 1 MB per record).

async function failure(chunks: string[], format: CaseFormat, limits: ImportLimits): Promise<AppError> {
  try {
    for await (const parsed of parseCases(Readable.from(chunks), format, { limits })) void parsed;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the import to fail");
}

function jsonlLines(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${JSON.stringify({ variables: { n: String(index) } })}\n`);
}

describe("import caps", () => {
  it("refuses a file with more rows than the cap: 413 naming the cap", async () => {
    const error = await failure(jsonlLines(6), "jsonl", { maxRows: 5 });
    expect(httpStatusOf(error)).toBe(413);
    expect(error.message).toBe("The file has more than 5 cases (ASSAY_MAX_IMPORT_ROWS): split it into several imports.");
    expect(error.details).toEqual([{ row: 6, message: "at most 5 cases" }]);
  });

  it("refuses a file larger than the byte cap while it streams, even without a declared size", async () => {
    const error = await failure(jsonlLines(200), "jsonl", { maxBytes: 1024 });
    expect(httpStatusOf(error)).toBe(413);
    expect(error.message).toBe("The file is larger than 1 KB (ASSAY_MAX_IMPORT_BYTES).");
  });

  it("refuses a CSV record longer than max_record_size with its row number (a quote left open)", async () => {
    const csv = ["question,expected\n", "short,ok\n", `"never closed,${"x".repeat(5000)}\n`, "more,rows\n"];
    const error = await failure(csv, "csv", { maxRecordBytes: 1000 });
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toBe("Row 3: the record is longer than 1,000 characters (a quote left open?)");
    expect(error.details[0]?.row).toBe(3);
  });

  it("refuses a JSONL line longer than the cap with its line number, before the line ends", async () => {
    const lines = [...jsonlLines(2), `{"variables": {"n": "${"y".repeat(3000)}`];
    const error = await failure(lines, "jsonl", { maxRecordBytes: 2048 });
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toBe("Row 3: the line is longer than 2 KB");
    expect(error.details[0]?.row).toBe(3);
  });

  it("reads CRLF JSONL line by line as before", async () => {
    const rows: number[] = [];
    const text = '{"key":"a"}\r\n\r\n{"key":"b"}\r\n';
    for await (const parsed of parseCases(Readable.from([text]), "jsonl")) rows.push(parsed.row);
    expect(rows).toEqual([1, 3]);
  });
});
