import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import type { ChatParams } from "../llm/types.ts";
import type { PromptContent } from "../prompts/types.ts";
import { countResults, progressOf } from "./progress.ts";
import type { InlineTarget, RunDetail, RunSummaryRecord, StoredRunConfig, VariantSummary } from "./types.ts";

// Reading runs: the list, one run with its variants, and per-variant summaries computed in PostgreSQL (percentiles
// with percentile_cont) so a 100,000-result run is summarized without loading it.

interface SummaryRow {
  variantId: string;
  done: number;
  passed: number;
  failed: number;
  errors: number;
  mean_score: number | null;
  latency_p50: number | null;
  latency_p95: number | null;
  ttft_p50: number | null;
  ttft_p95: number | null;
  input_tokens: bigint | number | null;
  output_tokens: bigint | number | null;
  total_cost: number | null;
  unpriced: number;
  cached: number;
  retries: number;
}

export async function variantSummaries(runId: string): Promise<Map<string, SummaryRow>> {
  // Latency and TTFT: fresh answers only — a cached answer took no time, and a failed call's time measures the failure.
  const rows = await db.$queryRaw<SummaryRow[]>`
    SELECT "variantId",
      count(*)::int AS done,
      count(*) FILTER (WHERE pass IS TRUE)::int AS passed,
      count(*) FILTER (WHERE pass IS FALSE)::int AS failed,
      count(error)::int AS errors,
      avg(score) FILTER (WHERE error IS NULL) AS mean_score,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY "latencyMs") FILTER (WHERE NOT cached AND error IS NULL) AS latency_p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY "latencyMs") FILTER (WHERE NOT cached AND error IS NULL) AS latency_p95,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY "ttftMs") FILTER (WHERE NOT cached AND error IS NULL) AS ttft_p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY "ttftMs") FILTER (WHERE NOT cached AND error IS NULL) AS ttft_p95,
      coalesce(sum("inputTokens"), 0)::bigint AS input_tokens,
      coalesce(sum("outputTokens"), 0)::bigint AS output_tokens,
      sum(cost) FILTER (WHERE NOT cached) AS total_cost,
      count(*) FILTER (WHERE NOT cached AND cost IS NULL AND "inputTokens" IS NOT NULL)::int AS unpriced,
      count(*) FILTER (WHERE cached)::int AS cached,
      coalesce(sum(retries), 0)::int AS retries
    FROM "Result" WHERE "runId" = ${runId}
    GROUP BY "variantId"`;
  return new Map(rows.map((row) => [row.variantId, row]));
}

function roundCost(value: number | null): number | null {
  // Sums of doubles drift in the last digits; costs are exact to the picodollar.
  return value === null ? null : Math.round(value * 1e12) / 1e12;
}

export function toVariantSummary(row: SummaryRow | undefined, total: number): VariantSummary {
  if (!row) {
    return {
      total,
      done: 0,
      passed: 0,
      failed: 0,
      errors: 0,
      passRate: null,
      meanScore: null,
      latencyMs: { p50: null, p95: null },
      ttftMs: { p50: null, p95: null },
      inputTokens: 0,
      outputTokens: 0,
      totalCost: 0,
      cached: 0,
      retries: 0,
    };
  }
  return {
    total,
    done: row.done,
    passed: row.passed,
    failed: row.failed,
    errors: row.errors,
    passRate: row.done > 0 ? row.passed / row.done : null,
    meanScore: row.mean_score,
    latencyMs: { p50: row.latency_p50, p95: row.latency_p95 },
    ttftMs: { p50: row.ttft_p50, p95: row.ttft_p95 },
    inputTokens: Number(row.input_tokens ?? 0),
    outputTokens: Number(row.output_tokens ?? 0),
    totalCost: row.unpriced > 0 ? null : roundCost(row.total_cost ?? 0),
    cached: row.cached,
    retries: row.retries,
  };
}

type Final = { done: number; errors: number; retries: number; cached: number };

export async function getRun(workspaceId: string, runId: string): Promise<RunDetail> {
  const run = await db.run.findFirst({
    where: { id: runId, workspaceId },
    include: {
      suite: { select: { name: true } },
      variants: {
        orderBy: { position: "asc" },
        include: { version: { select: { number: true, prompt: { select: { name: true } } } } },
      },
    },
  });
  if (!run) throw new AppError("not_found", "run", "No such run in this workspace.");
  const connectionIds = [...new Set(run.variants.flatMap((variant) => (variant.connectionId ? [variant.connectionId] : [])))];
  const [connections, summaries, counts] = await Promise.all([
    db.connection.findMany({ where: { id: { in: connectionIds }, workspaceId }, select: { id: true, name: true } }),
    variantSummaries(run.id),
    countResults(run.id),
  ]);
  const connectionNames = new Map(connections.map((connection) => [connection.id, connection.name]));
  const perVariant = run.variants.length > 0 ? run.totalCells / run.variants.length : 0;
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    suiteId: run.suiteId,
    suiteName: run.suite?.name ?? null,
    totalCells: run.totalCells,
    repeats: run.repeats,
    concurrency: run.concurrency,
    cache: run.cache,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
    variantLabels: run.variants.map((variant) => variant.label),
    progress: progressOf(run, counts),
    config: run.config as unknown as StoredRunConfig,
    variants: run.variants.map((variant) => ({
      id: variant.id,
      position: variant.position,
      label: variant.label,
      versionId: variant.versionId,
      promptName: variant.version?.prompt.name ?? null,
      versionNumber: variant.version?.number ?? null,
      prompt: variant.prompt as unknown as PromptContent,
      connectionId: variant.connectionId,
      connectionName: variant.connectionId ? (connectionNames.get(variant.connectionId) ?? null) : null,
      target: (variant.target ?? null) as InlineTarget | null,
      model: variant.model,
      params: (variant.params ?? {}) as ChatParams,
      summary: toVariantSummary(summaries.get(variant.id), perVariant),
    })),
  };
}

/** The workspace's runs, newest first. */
export async function listRuns(
  workspaceId: string,
  options: { suiteId?: string; limit?: number; offset?: number } = {},
): Promise<RunSummaryRecord[]> {
  const runs = await db.run.findMany({
    where: { workspaceId, ...(options.suiteId ? { suiteId: options.suiteId } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(200, Math.max(1, options.limit ?? 50)),
    skip: Math.max(0, options.offset ?? 0),
    include: { suite: { select: { name: true } }, variants: { orderBy: { position: "asc" }, select: { label: true } } },
  });
  return Promise.all(
    runs.map(async (run) => {
      const final = (run.config as unknown as { final?: Final }).final;
      const ended = run.status === "completed" || run.status === "cancelled" || run.status === "failed";
      const counts = ended && final ? final : await countResults(run.id);
      return {
        id: run.id,
        name: run.name,
        status: run.status,
        suiteId: run.suiteId,
        suiteName: run.suite?.name ?? null,
        totalCells: run.totalCells,
        repeats: run.repeats,
        concurrency: run.concurrency,
        cache: run.cache,
        createdAt: run.createdAt,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        error: run.error,
        variantLabels: run.variants.map((variant) => variant.label),
        progress: progressOf(run, counts),
      };
    }),
  );
}
