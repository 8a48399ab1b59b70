import { stringify } from "csv-stringify/sync";
import { neutralizeFormula } from "../csv-formula.ts";
import { db } from "../db.ts";
import type { Case } from "../generated/prisma/client.ts";
import type { CaseFormat } from "./schema.ts";

// Exports stream a page of cases at a time, in suite order, in the formats the importer reads: an export imports
// back into the same cases. In CSV every variable becomes text (a number 3 comes back as "3"), and a cell that a
// spreadsheet would run as a formula is written with a leading quote, which the importer removes (csv-formula.ts).

const pageSize = 1000;

export async function* exportCases(suiteId: string, format: CaseFormat): AsyncGenerator<string> {
  if (format === "csv") {
    yield* exportCsv(suiteId);
    return;
  }
  if (format === "json") yield "[";
  let first = true;
  for await (const row of pages(suiteId)) {
    const line = JSON.stringify(portable(row));
    if (format === "jsonl") yield `${line}\n`;
    else {
      yield `${first ? "\n" : ",\n"}${line}`;
      first = false;
    }
  }
  if (format === "json") yield first ? "]\n" : "\n]\n";
}

/** A case as written in JSON and JSONL files; empty fields are left out. */
function portable(row: Case): Record<string, unknown> {
  const result: Record<string, unknown> = { key: row.key, variables: row.variables ?? {} };
  if (row.expected !== null) result.expected = row.expected;
  if (row.tags.length > 0) result.tags = row.tags;
  if (Array.isArray(row.assertions) && row.assertions.length > 0) result.assertions = row.assertions;
  return result;
}

async function* pages(suiteId: string): AsyncGenerator<Case> {
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.case.findMany({
      where: { suiteId },
      orderBy: [{ position: "asc" }, { id: "asc" }],
      take: pageSize,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    cursor = last.id;
  }
}

const reservedColumns = new Set(["id", "key", "expected", "tags", "assertions", "assert"]);

async function* exportCsv(suiteId: string): AsyncGenerator<string> {
  // The header needs every variable name before the first row; the database lists them without reading the rows.
  const names = await db.$queryRaw<{ name: string }[]>`
    SELECT DISTINCT jsonb_object_keys(variables) AS name FROM "Case"
    WHERE "suiteId" = ${suiteId} AND jsonb_typeof(variables) = 'object' ORDER BY name`;
  const variables = names.map((row) => row.name);
  const columns = variables.map((name) =>
    reservedColumns.has(name.toLowerCase()) || name.startsWith("vars.") ? `vars.${name}` : name,
  );
  yield stringify([["key", ...columns, "expected", "tags", "assertions"].map(neutralizeFormula)]);
  for await (const row of pages(suiteId)) {
    const values = (row.variables ?? {}) as Record<string, unknown>;
    const assertions = Array.isArray(row.assertions) && row.assertions.length > 0 ? JSON.stringify(row.assertions) : "";
    // Every cell of a case CSV is text (the importer reads them all as text), so every one is neutralized.
    const cells = [row.key, ...variables.map((name) => cell(values[name])), row.expected ?? "", csvTags(row.tags), assertions];
    yield stringify([cells.map(neutralizeFormula)]);
  }
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Tags joined by "|"; a lone tag with a comma gets a trailing "|" so the importer does not split it at the comma. */
function csvTags(tags: string[]): string {
  const joined = tags.join("|");
  return tags.length === 1 && joined.includes(",") ? `${joined}|` : joined;
}
