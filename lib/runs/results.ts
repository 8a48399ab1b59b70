import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import type { AssertionOutcome } from "../assertions/types.ts";
import { listResultsQuery } from "./schema.ts";
import { failureReason } from "./failure-reason.ts";
import { runShape } from "./shape.ts";
import type { ErrorInfo, ListResultsOptions, ResultCell, ResultPage, ResultRow } from "./types.ts";

// The results grid's rows: one per (case, repeat), in suite order, with one cell per variant. Filters run in SQL over
// the run's results grouped by (case, repeat), so a page of a 100,000-row run costs one indexed query.

type ResultRecord = Prisma.ResultGetPayload<object>;

export function toCell(result: ResultRecord): ResultCell {
  const assertions = (result.assertions ?? []) as unknown as AssertionOutcome[];
  return {
    resultId: result.id,
    variantId: result.variantId,
    output: result.output,
    finishReason: result.finishReason,
    pass: result.pass,
    score: result.score,
    reason: failureReason({ pass: result.pass, error: result.error, assertions }),
    assertions,
    error: (result.error ?? null) as ErrorInfo | null,
    latencyMs: result.latencyMs,
    ttftMs: result.ttftMs,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    cost: result.cost,
    cached: result.cached,
    attempts: result.attempts,
    retries: result.retries,
  };
}

export async function listResults(workspaceId: string, runId: string, options: ListResultsOptions = {}): Promise<ResultPage> {
  const query = listResultsQuery.parse({ ...options });
  const run = await db.run.findFirst({
    where: { id: runId, workspaceId },
    include: { variants: { orderBy: { position: "asc" }, select: { id: true, label: true, position: true } } },
  });
  if (!run) throw new AppError("not_found", "run", "No such run in this workspace.");
  const shape = await runShape(runId);
  const variants = run.variants;
  if (!shape) return { variants, rows: [], total: 0, offset: query.offset, limit: query.limit };

  const selection = shape.selection;
  const caseConditions = [
    Prisma.sql`c."suiteId" = ${selection.suiteId}`,
    Prisma.sql`c."createdAt" <= ${selection.createdAt}`,
  ];
  if (selection.caseIds) caseConditions.push(Prisma.sql`c.id = ANY(${selection.caseIds}::text[])`);
  if (selection.tags) caseConditions.push(Prisma.sql`c.tags && ${selection.tags}::text[]`);
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    caseConditions.push(Prisma.sql`(c.key ILIKE ${pattern} OR c.variables::text ILIKE ${pattern} OR c.expected ILIKE ${pattern}
      OR EXISTS (SELECT 1 FROM "Result" s WHERE s."runId" = ${runId} AND s."caseId" = c.id AND s.output ILIKE ${pattern}))`);
  }
  const where = Prisma.join(caseConditions, " AND ");
  const having =
    query.filter === "failures"
      ? Prisma.sql`bool_or(x.pass IS FALSE OR x.error IS NOT NULL)`
      : query.filter === "errors"
        ? Prisma.sql`bool_or(x.error IS NOT NULL)`
        : Prisma.sql`count(*) > 1 AND bool_or(x.pass IS TRUE) AND bool_or(x.pass IS NOT TRUE)`;
  const source =
    query.filter === "all"
      ? Prisma.sql`SELECT c.id AS "caseId", c.position, r.repeat FROM "Case" c CROSS JOIN generate_series(0, ${run.repeats - 1}) AS r(repeat) WHERE ${where}`
      : Prisma.sql`SELECT c.id AS "caseId", c.position, x.repeat FROM "Result" x JOIN "Case" c ON c.id = x."caseId"
          WHERE x."runId" = ${runId} AND ${where} GROUP BY c.id, c.position, x.repeat HAVING ${having}`;
  const [page, counted] = await Promise.all([
    db.$queryRaw<{ caseId: string; repeat: number }[]>`
      SELECT "caseId", repeat FROM (${source}) AS page ORDER BY position, "caseId", repeat OFFSET ${query.offset} LIMIT ${query.limit}`,
    db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM (${source}) AS counted`,
  ]);
  const caseIds = [...new Set(page.map((row) => row.caseId))];
  const [cases, results] = await Promise.all([
    db.case.findMany({ where: { id: { in: caseIds } } }),
    db.result.findMany({ where: { runId, caseId: { in: caseIds } } }),
  ]);
  const caseById = new Map(cases.map((row) => [row.id, row]));
  const resultByCell = new Map(results.map((result) => [`${result.caseId}/${result.repeat}/${result.variantId}`, result]));
  const rows: ResultRow[] = page.flatMap(({ caseId, repeat }) => {
    const row = caseById.get(caseId);
    if (!row) return [];
    return [
      {
        caseId,
        key: row.key,
        position: row.position,
        repeat,
        variables: (row.variables ?? {}) as Record<string, unknown>,
        expected: row.expected,
        tags: row.tags,
        cells: variants.map((variant) => {
          const result = resultByCell.get(`${caseId}/${repeat}/${variant.id}`);
          return result ? toCell(result) : null;
        }),
      },
    ];
  });
  return { variants, rows, total: counted[0]?.total ?? 0, offset: query.offset, limit: query.limit };
}
