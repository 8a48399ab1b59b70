import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import type { ComparisonData, LoadedCase, LoadedResult } from "./aggregate.ts";
import type { CompareVariant } from "./types.ts";

// Reads what a comparison needs straight from Result and Case, with only the columns it uses: no outputs (the list
// fetches those as it scrolls, see outputs.ts), and the case variables become one short line, so 10,000 results
// load in one round trip.

const FINISHED = new Set(["completed", "cancelled", "failed"]);

export interface VariantRow {
  id: string;
  runId: string;
  label: string;
  model: string;
  position: number;
  connectionId: string | null;
  prompt: unknown;
  run: { id: string; name: string; status: string; createdAt: Date; repeats: number; suiteId: string | null; suite: { name: string } | null };
  version: { number: number; prompt: { name: string } } | null;
}

function shotCounts(prompt: unknown): { examples: number; counterexamples: number } {
  const content = (prompt ?? {}) as { examples?: unknown; counterexamples?: unknown };
  return {
    examples: Array.isArray(content.examples) ? content.examples.length : 0,
    counterexamples: Array.isArray(content.counterexamples) ? content.counterexamples.length : 0,
  };
}

/** The variants in the order asked, checked to belong to the workspace; a missing one is named. */
export async function loadVariants(workspaceId: string, variantIds: readonly string[]): Promise<CompareVariant[]> {
  const rows = (await db.variant.findMany({
    where: { id: { in: [...variantIds] }, run: { workspaceId } },
    select: {
      id: true,
      runId: true,
      label: true,
      model: true,
      position: true,
      connectionId: true,
      prompt: true,
      run: { select: { id: true, name: true, status: true, createdAt: true, repeats: true, suiteId: true, suite: { select: { name: true } } } },
      version: { select: { number: true, prompt: { select: { name: true } } } },
    },
  })) as VariantRow[];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = variantIds.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new AppError(
      "not_found",
      "variant",
      `No variant ${missing.map((id) => `"${id}"`).join(", ")} in this workspace.`,
      missing.map((id) => ({ path: "variants", message: `unknown variant ${id}` })),
    );
  }
  const connectionIds = [...new Set(rows.map((row) => row.connectionId).filter((id): id is string => id !== null))];
  const connections = await db.connection.findMany({ where: { id: { in: connectionIds }, workspaceId }, select: { id: true, name: true } });
  const connectionNames = new Map(connections.map((connection) => [connection.id, connection.name]));
  return variantIds.map((id, index) => {
    const row = byId.get(id) as VariantRow;
    return {
      id: row.id,
      letter: String.fromCharCode(65 + index),
      label: row.label,
      runId: row.runId,
      runName: row.run.name,
      runStatus: row.run.status,
      runCreatedAt: row.run.createdAt.toISOString(),
      repeats: row.run.repeats,
      suiteId: row.run.suiteId,
      suiteName: row.run.suite?.name ?? null,
      model: row.model,
      connectionName: row.connectionId ? (connectionNames.get(row.connectionId) ?? null) : null,
      promptName: row.version?.prompt.name ?? null,
      versionNumber: row.version?.number ?? null,
      ...shotCounts(row.prompt),
    };
  });
}

/** Changes whenever a result is added to one of the variants or a run changes state: the cache key. */
export async function resultsFingerprint(variants: readonly CompareVariant[]): Promise<string> {
  const ids = variants.map((variant) => variant.id);
  const rows = await db.$queryRaw<{ variantId: string; count: bigint | number; latest: Date | null }[]>`
    SELECT "variantId", count(*) AS count, max("createdAt") AS latest
    FROM "Result" WHERE "variantId" IN (${Prisma.join(ids)}) GROUP BY "variantId"`;
  const byId = new Map(rows.map((row) => [row.variantId, `${Number(row.count)}@${row.latest?.getTime() ?? 0}`]));
  const runs = await db.run.findMany({ where: { id: { in: [...new Set(variants.map((variant) => variant.runId))] } }, select: { id: true, status: true } });
  return [...ids.map((id) => `${id}:${byId.get(id) ?? "0"}`), ...runs.map((run) => `${run.id}:${run.status}`).sort()].join("|");
}

interface CaseRow {
  id: string;
  key: string;
  position: number;
  tags: string[];
  suiteId: string;
  input: string | null;
}

interface ResultRow {
  variantId: string;
  caseId: string;
  repeat: number;
  pass: boolean | null;
  score: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  cached: boolean;
  error: string | null;
  outputHash: string | null;
}

/** Every result of the variants, with its case matched by key across runs. */
export async function loadComparisonData(variants: CompareVariant[]): Promise<ComparisonData> {
  const ids = variants.map((variant) => variant.id);
  // Whether repeats answered identically needs a digest of each output; without repeats there is nothing to compare.
  const withRepeats = variants.some((variant) => variant.repeats > 1);
  const [caseRows, resultRows] = await Promise.all([
    db.$queryRaw<CaseRow[]>`
      SELECT c.id, c.key, c.position, c.tags, c."suiteId",
        left((SELECT string_agg(e.key || ': ' || left(coalesce(e.value #>> '{}', 'null'), 120), ' · ' ORDER BY e.key)
              FROM jsonb_each(CASE WHEN jsonb_typeof(c.variables) = 'object' THEN c.variables ELSE '{}'::jsonb END) e), 180) AS input
      FROM "Case" c
      WHERE c.id IN (SELECT DISTINCT "caseId" FROM "Result" WHERE "variantId" IN (${Prisma.join(ids)}))`,
    db.$queryRaw<ResultRow[]>`
      SELECT r."variantId", r."caseId", r.repeat, r.pass, r.score, r."latencyMs", r."ttftMs", r."inputTokens", r."outputTokens",
        r.cost, r.cached,
        CASE WHEN r.error IS NULL OR r.error = 'null'::jsonb THEN NULL
             ELSE coalesce(r.error->>'message', r.error->>'kind', r.error::text) END AS error,
        ${withRepeats ? Prisma.sql`md5(coalesce(r.output, ''))` : Prisma.sql`NULL`} AS "outputHash"
      FROM "Result" r
      WHERE r."variantId" IN (${Prisma.join(ids)})`,
  ]);
  // Cases match by key across runs; the baseline's suite names the case when two suites share a key.
  const baselineSuite = variants[0]?.suiteId ?? null;
  caseRows.sort((left, right) => Number(right.suiteId === baselineSuite) - Number(left.suiteId === baselineSuite));
  const caseIndexByKey = new Map<string, number>();
  const caseIndexById = new Map<string, number>();
  const cases: LoadedCase[] = [];
  for (const row of caseRows) {
    let index = caseIndexByKey.get(row.key);
    if (index === undefined) {
      index = cases.length;
      caseIndexByKey.set(row.key, index);
      cases.push({ key: row.key, position: row.position, tags: row.tags ?? [], input: row.input ?? "" });
    }
    caseIndexById.set(row.id, index);
  }
  const variantIndex = new Map(ids.map((id, index) => [id, index]));
  const results: LoadedResult[] = resultRows.map((row) => ({
    variant: variantIndex.get(row.variantId) as number,
    case: caseIndexById.get(row.caseId) as number,
    repeat: row.repeat,
    pass: row.pass,
    score: row.score === null ? null : Number(row.score),
    latencyMs: row.latencyMs === null ? null : Number(row.latencyMs),
    ttftMs: row.ttftMs === null ? null : Number(row.ttftMs),
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cost: row.cost === null ? null : Number(row.cost),
    cached: row.cached,
    error: row.error,
    outputHash: row.outputHash,
  }));
  const notes: string[] = [];
  const suites = new Set(variants.map((variant) => variant.suiteId));
  if (suites.size > 1) {
    notes.push(`The variants come from runs on different suites (${[...new Set(variants.map((variant) => variant.suiteName ?? "deleted suite"))].join(", ")}): cases are matched by their key.`);
  }
  return { variants, cases, results, final: variants.every((variant) => FINISHED.has(variant.runStatus)), notes };
}
