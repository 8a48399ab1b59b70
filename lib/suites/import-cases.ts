import { randomUUID } from "node:crypto";
import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { parseCases, rowError, type CaseSource, type ImportLimits } from "./parse-cases.ts";
import { importOptions, type CaseFormat, type ImportOptions, type ParsedCase } from "./schema.ts";
import { freeDefaultKey, requireSuite } from "./suites.ts";

// Imports run in one transaction: cases are parsed from the stream and written in batches inside it, so memory holds
// one batch at a time and a bad row anywhere (row 99,999 of 100,000) rolls everything back.

const batchSize = 1000;
// Generous: the transaction stays open while the file streams in (an upload, a large file on a slow disk).
const transactionTimeoutMs = 30 * 60_000;

export interface ImportSummary {
  imported: number;
  /** cases deleted first (replace mode) */
  replaced: number;
  mode: "append" | "replace";
}

export async function importCases(
  workspaceId: string,
  suiteId: string,
  source: CaseSource,
  format: CaseFormat,
  options: ImportOptions = {},
  /** size and row caps, lib/limits.ts by default; a cap hit anywhere rolls the whole import back */
  caps?: ImportLimits,
): Promise<ImportSummary> {
  const { mode, discardResults } = importOptions.parse(options);
  await requireSuite(workspaceId, suiteId);
  return db.$transaction(
    async (transaction) => {
      // Holds off other imports and case appends to this suite until this one commits.
      await transaction.$executeRaw`SELECT 1 FROM "Suite" WHERE id = ${suiteId} FOR UPDATE`;
      let replaced = 0;
      let start = 0;
      if (mode === "replace") {
        if (!discardResults) await refuseIfResultsExist(transaction, suiteId);
        replaced = (await transaction.case.deleteMany({ where: { suiteId } })).count;
      } else {
        const last = await transaction.case.aggregate({ where: { suiteId }, _max: { position: true } });
        start = (last._max.position ?? -1) + 1;
      }
      let imported = 0;
      let batch: ParsedCase[] = [];
      const flush = async () => {
        await writeBatch(transaction, suiteId, start + imported, batch, mode);
        imported += batch.length;
        batch = [];
      };
      for await (const parsed of parseCases(source, format, { startIndex: start, ...(caps ? { limits: caps } : {}) })) {
        batch.push(parsed);
        if (batch.length >= batchSize) await flush();
      }
      if (batch.length > 0) await flush();
      await transaction.suite.update({ where: { id: suiteId }, data: { updatedAt: new Date() } });
      return { imported, replaced, mode };
    },
    { timeout: transactionTimeoutMs, maxWait: 10_000 },
  );
}

async function refuseIfResultsExist(transaction: Prisma.TransactionClient, suiteId: string): Promise<void> {
  const [results, votes] = await Promise.all([
    transaction.result.count({ where: { case: { suiteId } } }),
    transaction.vote.count({ where: { case: { suiteId } } }),
  ]);
  if (results + votes > 0) {
    throw new AppError(
      "conflict",
      "import",
      `Replacing the cases would delete ${results} run result(s) and ${votes} vote(s) recorded for them. ` +
        "Append instead, import into a new suite, or confirm that those results may be discarded.",
    );
  }
}

async function writeBatch(
  transaction: Prisma.TransactionClient,
  suiteId: string,
  firstPosition: number,
  batch: ParsedCase[],
  mode: "append" | "replace",
): Promise<void> {
  // Duplicate keys: within the batch by a map, against earlier batches and existing cases by the unique index.
  const rowByKey = new Map<string, number>();
  for (const parsed of batch) {
    const earlier = rowByKey.get(parsed.key);
    if (earlier !== undefined) {
      throw rowError(parsed.row, [{ path: "key", message: `"${parsed.key}" is already the key of row ${earlier}` }]);
    }
    rowByKey.set(parsed.key, parsed.row);
  }
  const taken = await transaction.case.findMany({
    where: { suiteId, key: { in: [...rowByKey.keys()] } },
    select: { key: true },
  });
  const takenKeys = new Set(taken.map((row) => row.key));
  const data: CaseRow[] = [];
  for (const [index, parsed] of batch.entries()) {
    const position = firstPosition + index;
    let key = parsed.key;
    if (takenKeys.has(key)) {
      if (parsed.keyGiven) {
        const owner = mode === "replace" ? "an earlier row" : "an earlier row or a case already in the suite";
        throw rowError(parsed.row, [{ path: "key", message: `"${key}" is already the key of ${owner}` }]);
      }
      key = await freeDefaultKey(transaction, suiteId, position, rowByKey);
      rowByKey.set(key, parsed.row);
    }
    data.push({
      id: newCaseId(),
      suiteId,
      position,
      key,
      variables: parsed.variables,
      expected: parsed.expected,
      tags: parsed.tags,
      assertions: parsed.assertions,
    });
  }
  await insertCases(transaction, data);
}

export interface CaseRow {
  id: string;
  suiteId: string;
  position: number;
  key: string;
  variables: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  assertions: unknown[];
}

export function newCaseId(): string {
  return `c${randomUUID().replaceAll("-", "")}`;
}

/**
 * One statement per batch, the rows passed as a single JSON parameter. Prisma's createMany keeps about 3 KB per row
 * alive in this client (measured: +110 MB of heap after 40,000 rows, still held after GC); this keeps a 100,000-row
 * import within a few tens of MB.
 */
export async function insertCases(transaction: Prisma.TransactionClient, rows: readonly CaseRow[]): Promise<void> {
  if (rows.length === 0) return;
  await transaction.$executeRawUnsafe(
    `INSERT INTO "Case" (id, "suiteId", position, key, variables, expected, tags, assertions)
     SELECT id, "suiteId", position, key, variables, expected, tags, assertions
     FROM jsonb_to_recordset($1::jsonb)
       AS x(id text, "suiteId" text, position int, key text, variables jsonb, expected text, tags text[], assertions jsonb)`,
    JSON.stringify(rows),
  );
}
