import { describe, expect, it } from "vitest";
import { formatOf, previewUpload } from "../../../components/distill/upload-preview.ts";

// The new-distillation form's preview of an uploaded file: rows read, the first ones shown, bad rows named by the
// number the server's parser gives them (CSV: the header is row 1; JSONL: lines).

describe("previewUpload", () => {
  it("reads a CSV with quotes, a comma and a newline inside a cell, and names a short row by its number", () => {
    const text = 'text,expected\n"great, really",positive\n"two\nlines",negative\nonly-one-cell\nfine,neutral\n';
    const preview = previewUpload(text, "csv");
    expect(preview.columns).toEqual(["text", "expected"]);
    expect(preview.count).toBe(3);
    expect(preview.rows[0]).toEqual({ text: "great, really", expected: "positive" });
    expect(preview.rows[1]).toEqual({ text: "two\nlines", expected: "negative" });
    // row 1 header, row 2 "great", rows 3–4 the two-line cell, row 5 the short one
    expect(preview.errors).toEqual([{ row: 5, message: "1 cells where the header has 2" }]);
  });

  it("reads JSONL objects, skips blank lines and names the lines that are not objects", () => {
    const text = '{"text":"a"}\n\n[1,2]\nnot json\n{"text":"b","expected":"x"}\n';
    const preview = previewUpload(text, "jsonl");
    expect(preview.count).toBe(2);
    expect(preview.columns).toEqual(["text", "expected"]);
    expect(preview.errors.map((error) => error.row)).toEqual([3, 4]);
    expect(preview.errors[0]?.message).toMatch(/object of variables/);
  });

  it("shows at most the asked number of rows but counts them all", () => {
    const text = ["v", ...Array.from({ length: 12 }, (_, index) => `row ${index}`)].join("\n");
    const preview = previewUpload(text, "csv", 5);
    expect(preview.rows).toHaveLength(5);
    expect(preview.count).toBe(12);
  });

  it("an empty CSV is an error on row 1", () => {
    expect(previewUpload("", "csv").errors).toEqual([{ row: 1, message: "the file is empty: the first row names the columns" }]);
  });

  it("tells the format from the file name, else from the first character", () => {
    expect(formatOf("rows.JSONL", "a,b")).toBe("jsonl");
    expect(formatOf("rows.csv", "{}")).toBe("csv");
    expect(formatOf("rows.txt", '  {"a":1}')).toBe("jsonl");
    expect(formatOf("rows.txt", "a,b")).toBe("csv");
  });
});
