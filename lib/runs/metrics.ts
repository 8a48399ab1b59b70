import { db } from "../db.ts";

// Named metrics (an assertion's `metric`, promptfoo's namedScores): per variant, the mean score and the pass share of
// the assertions that name each metric, over the run's results.

export interface NamedMetric {
  variantId: string;
  metric: string;
  assertions: number;
  passed: number;
  meanScore: number;
}

export async function namedMetrics(runId: string): Promise<NamedMetric[]> {
  const rows = await db.$queryRawUnsafe<{ variantId: string; metric: string; assertions: bigint; passed: bigint; meanScore: number }[]>(
    `SELECT r."variantId", a->>'metric' AS metric, count(*) AS assertions,
            count(*) FILTER (WHERE (a->>'pass')::boolean) AS passed, avg((a->>'score')::float8) AS "meanScore"
     FROM "Result" r CROSS JOIN LATERAL jsonb_array_elements(r.assertions) AS a
     WHERE r."runId" = $1 AND a ? 'metric'
     GROUP BY r."variantId", a->>'metric'
     ORDER BY a->>'metric'`,
    runId,
  );
  return rows.map((row) => ({ ...row, assertions: Number(row.assertions), passed: Number(row.passed) }));
}
