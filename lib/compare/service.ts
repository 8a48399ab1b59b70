import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { computeComparison } from "./compute.ts";
import type { ComputeOptions } from "./compute.ts";
import { loadComparisonData, loadVariants, resultsFingerprint } from "./load.ts";
import { loadOutputs } from "./outputs.ts";
import { compareQuery } from "./schema.ts";
import type { Comparison } from "./types.ts";
import { FIRST_OUTPUTS } from "./types.ts";

// The compare screen's one entry point. A comparison of finished runs never changes, so it is computed once and
// kept (keyed by a fingerprint of the results); opening it again costs two small queries.

const CACHE_SIZE = 8;
const cache = new Map<string, Comparison>();
const inFlight = new Map<string, Promise<Comparison>>();

function remember(key: string, comparison: Comparison): void {
  cache.delete(key);
  cache.set(key, comparison);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}

export async function getComparison(workspaceId: string, input: { variants: string | string[] }, options: ComputeOptions = {}): Promise<Comparison> {
  const { variants: variantIds } = compareQuery.parse(input);
  const variants = await loadVariants(workspaceId, variantIds);
  const key = `${workspaceId}|${await resultsFingerprint(variants)}|${options.resamples ?? ""}|${options.seed ?? ""}`;
  const cached = cache.get(key);
  if (cached) {
    remember(key, cached);
    return cached;
  }
  let pending = inFlight.get(key);
  if (!pending) {
    pending = (async () => {
      const data = await loadComparisonData(variants);
      if (data.results.length === 0) {
        throw new AppError("conflict", "comparison", "These variants have no results yet: start their run, or wait for the first results.");
      }
      const comparison = computeComparison(data, options);
      comparison.firstOutputs = await loadOutputs(workspaceId, variantIds, comparison.cases.keys.slice(0, FIRST_OUTPUTS), { checked: true });
      return comparison;
    })();
    inFlight.set(key, pending);
  }
  try {
    const comparison = await pending;
    remember(key, comparison);
    return comparison;
  } finally {
    inFlight.delete(key);
  }
}

/** Drops computed comparisons (tests and benchmarks measure a cold open with it). */
export function clearComparisonCache(): void {
  cache.clear();
}

export interface CaseResultDetail {
  repeat: number;
  output: string | null;
  finishReason: string | null;
  pass: boolean | null;
  score: number | null;
  assertions: unknown;
  error: unknown;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  cached: boolean;
  attempts: number;
  retries: number;
}

export interface CaseDetail {
  key: string;
  /** the Case row of the baseline's suite (comments on the case anchor to it) */
  caseId: string | null;
  variables: unknown;
  expected: string | null;
  tags: string[];
  /** in the order of the variants asked for; empty when a variant has no result for the case */
  results: { variantId: string; results: CaseResultDetail[] }[];
}

/** One case in full, for every variant: outputs, assertion outcomes, errors and timings of each repeat. */
export async function getCaseDetail(workspaceId: string, variantIds: string[], key: string): Promise<CaseDetail> {
  const variants = await loadVariants(workspaceId, variantIds);
  const rows = await db.result.findMany({
    where: { variantId: { in: variantIds }, case: { key }, run: { workspaceId } },
    orderBy: [{ repeat: "asc" }],
    include: { case: { select: { id: true, key: true, variables: true, expected: true, tags: true, suiteId: true } } },
  });
  if (rows.length === 0) throw new AppError("not_found", "case", `No results for case "${key}" in these variants.`);
  const baselineSuite = variants[0]?.suiteId;
  const caseRow = (rows.find((row) => row.case.suiteId === baselineSuite) ?? rows[0])?.case;
  return {
    key,
    caseId: caseRow?.id ?? null,
    variables: caseRow?.variables ?? {},
    expected: caseRow?.expected ?? null,
    tags: caseRow?.tags ?? [],
    results: variants.map((variant) => ({
      variantId: variant.id,
      results: rows
        .filter((row) => row.variantId === variant.id)
        .map((row) => ({
          repeat: row.repeat,
          output: row.output,
          finishReason: row.finishReason,
          pass: row.pass,
          score: row.score,
          assertions: row.assertions,
          error: row.error,
          latencyMs: row.latencyMs,
          ttftMs: row.ttftMs,
          inputTokens: row.inputTokens,
          outputTokens: row.outputTokens,
          cost: row.cost,
          cached: row.cached,
          attempts: row.attempts,
          retries: row.retries,
        })),
    })),
  };
}

export interface ComparableRun {
  id: string;
  name: string;
  status: string;
  createdAt: string;
  suiteId: string | null;
  suiteName: string | null;
  repeats: number;
  variants: { id: string; label: string; model: string; position: number; results: number }[];
}

/** Recent runs with their variants, for choosing what to compare. */
export async function listComparableRuns(workspaceId: string, limit = 50): Promise<ComparableRun[]> {
  const runs = await db.run.findMany({
    where: { workspaceId },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: {
      id: true,
      name: true,
      status: true,
      createdAt: true,
      repeats: true,
      suiteId: true,
      suite: { select: { name: true } },
      variants: { orderBy: { position: "asc" }, select: { id: true, label: true, model: true, position: true, _count: { select: { results: true } } } },
    },
  });
  return runs.map((run) => ({
    id: run.id,
    name: run.name,
    status: run.status,
    createdAt: run.createdAt.toISOString(),
    suiteId: run.suiteId,
    suiteName: run.suite?.name ?? null,
    repeats: run.repeats,
    variants: run.variants.map((variant) => ({
      id: variant.id,
      label: variant.label,
      model: variant.model,
      position: variant.position,
      results: variant._count.results,
    })),
  }));
}
