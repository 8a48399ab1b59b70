// The new-distillation form's preview of uploaded rows (CSV with a header, or JSONL of objects), in the browser: the
// first rows as a table and every bad row named by its number, the way the server's parser numbers them (CSV counts
// the header as row 1, JSONL counts lines). The server parses the text again and its word is final.

export interface UploadPreview {
  format: "csv" | "jsonl";
  columns: string[];
  rows: Record<string, unknown>[];
  count: number;
  errors: { row: number; message: string }[];
}

/** RFC 4180 fields: quotes, doubled quotes, commas and newlines inside quotes. */
function csvRecords(text: string): { cells: string[]; row: number }[] {
  const records: { cells: string[]; row: number }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let row = 1;
  let startRow = 1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else {
        if (char === "\n") row++;
        cell += char;
      }
      continue;
    }
    if (char === '"' && cell === "") quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") index++;
      cells.push(cell);
      if (cells.some((value) => value !== "")) records.push({ cells, row: startRow });
      cells = [];
      cell = "";
      row++;
      startRow = row;
    } else cell += char;
  }
  cells.push(cell);
  if (cells.some((value) => value !== "")) records.push({ cells, row: startRow });
  return records;
}

export function previewUpload(text: string, format: "csv" | "jsonl", shown = 5): UploadPreview {
  const errors: UploadPreview["errors"] = [];
  const rows: Record<string, unknown>[] = [];
  let count = 0;
  if (format === "jsonl") {
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        errors.push({ row: index + 1, message: `not JSON (${error instanceof Error ? error.message : String(error)})` });
        return;
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        errors.push({ row: index + 1, message: "expected an object of variables, like {\"text\": \"…\"}" });
        return;
      }
      count++;
      if (rows.length < shown) rows.push(value as Record<string, unknown>);
    });
  } else {
    const [header, ...records] = csvRecords(text);
    if (!header) return { format, columns: [], rows, count: 0, errors: [{ row: 1, message: "the file is empty: the first row names the columns" }] };
    const columns = header.cells.map((name) => name.trim());
    columns.forEach((name, index) => {
      if (name === "") errors.push({ row: 1, message: `column ${index + 1} has no name` });
    });
    for (const record of records) {
      if (record.cells.length !== columns.length) {
        errors.push({ row: record.row, message: `${record.cells.length} cells where the header has ${columns.length}` });
        continue;
      }
      count++;
      if (rows.length < shown) rows.push(Object.fromEntries(columns.map((name, index) => [name, record.cells[index]])));
    }
    return { format, columns, rows, count, errors };
  }
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return { format, columns, rows, count, errors };
}

export function formatOf(fileName: string, text: string): "csv" | "jsonl" {
  if (/\.jsonl?$/i.test(fileName)) return "jsonl";
  if (/\.csv$/i.test(fileName)) return "csv";
  return text.trimStart().startsWith("{") ? "jsonl" : "csv";
}
