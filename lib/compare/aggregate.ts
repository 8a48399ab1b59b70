import type { CaseColumns, CompareVariant } from "./types.ts";

// From stored results to one figure per (variant, case): the unit the paired statistics work on. A case with
// repeats contributes the share of its repeats that passed, its mean score and its median latency.

export interface LoadedCase {
  key: string;
  position: number;
  tags: string[];
  /** the variables as short text */
  input: string;
}

export interface LoadedResult {
  /** index into ComparisonData.variants */
  variant: number;
  /** index into ComparisonData.cases */
  case: number;
  repeat: number;
  pass: boolean | null;
  score: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  cached: boolean;
  /** the error message when the call failed after its retries */
  error: string | null;
  /** a digest of the full output, to tell whether repeats answered identically (loaded only for runs with repeats) */
  outputHash: string | null;
}

export interface ComparisonData {
  variants: CompareVariant[];
  cases: LoadedCase[];
  results: LoadedResult[];
  /** every run has ended: results will not change */
  final: boolean;
  notes?: string[];
}

/** One variant's figures for one case. */
export interface CaseAggregate {
  results: number;
  /** repeats with a pass/fail outcome (errors count as failures; results without assertions are not graded) */
  graded: number;
  passed: number;
  score: number | null;
  latency: number | null;
  ttft: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  cached: number;
  errors: number;
  first: LoadedResult;
  /** pass and fail both occurred across the repeats */
  flips: boolean;
  /** every repeat gave the same output; null with a single repeat */
  identicalOutputs: boolean | null;
}

/** Call-level samples of one variant over the analysed cases. */
export interface CallSamples {
  latency: number[];
  ttft: number[];
  cost: number[];
  inputTokens: number[];
  outputTokens: number[];
  results: number;
  errors: number;
  cached: number;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((left, right) => left - right);
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? (values[middle] as number) : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
}

function meanOf(values: number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function single(result: LoadedResult): CaseAggregate {
  const ok = result.error === null;
  const graded = result.pass !== null || !ok;
  return {
    results: 1,
    graded: graded ? 1 : 0,
    passed: result.pass === true ? 1 : 0,
    score: result.score,
    latency: ok && !result.cached ? result.latencyMs : null,
    ttft: ok && !result.cached ? result.ttftMs : null,
    inputTokens: ok ? result.inputTokens : null,
    outputTokens: ok ? result.outputTokens : null,
    cost: result.cached ? null : result.cost,
    cached: result.cached ? 1 : 0,
    errors: ok ? 0 : 1,
    first: result,
    flips: false,
    identicalOutputs: null,
  };
}

function aggregateCase(results: LoadedResult[]): CaseAggregate {
  // Most suites run each case once: no arrays to build for the medians and means of one value.
  if (results.length === 1) return single(results[0] as LoadedResult);
  results.sort((left, right) => left.repeat - right.repeat);
  let graded = 0;
  let passed = 0;
  let cached = 0;
  let errors = 0;
  const scores: number[] = [];
  const latencies: number[] = [];
  const ttfts: number[] = [];
  const inputTokens: number[] = [];
  const outputTokens: number[] = [];
  const costs: number[] = [];
  const hashes = new Set<string | null>();
  for (const result of results) {
    if (result.cached) cached++;
    if (result.error !== null) errors++;
    if (result.pass !== null || result.error !== null) {
      graded++;
      if (result.pass === true) passed++;
    }
    if (result.score !== null) scores.push(result.score);
    if (result.error === null) {
      if (!result.cached && result.latencyMs !== null) latencies.push(result.latencyMs);
      if (!result.cached && result.ttftMs !== null) ttfts.push(result.ttftMs);
      if (result.inputTokens !== null) inputTokens.push(result.inputTokens);
      if (result.outputTokens !== null) outputTokens.push(result.outputTokens);
      hashes.add(result.outputHash);
    }
    if (!result.cached && result.cost !== null) costs.push(result.cost);
  }
  return {
    results: results.length,
    graded,
    passed,
    score: meanOf(scores),
    latency: median(latencies),
    ttft: median(ttfts),
    inputTokens: meanOf(inputTokens),
    outputTokens: meanOf(outputTokens),
    cost: meanOf(costs),
    cached,
    errors,
    first: results[0] as LoadedResult,
    flips: passed > 0 && passed < graded,
    identicalOutputs: hashes.size === 1 && errors === 0,
  };
}

export interface Aggregated {
  /** aggregates[v][c]: variant v's figures for case c, null when it has no result for the case */
  aggregates: (CaseAggregate | null)[][];
  /** case order for display: suite position, then key */
  order: number[];
  analysed: boolean[];
  samples: CallSamples[];
}

export function aggregate(data: ComparisonData): Aggregated {
  const variantCount = data.variants.length;
  const caseCount = data.cases.length;
  const grouped: (LoadedResult[] | null)[][] = Array.from({ length: variantCount }, () => new Array<LoadedResult[] | null>(caseCount).fill(null));
  for (const result of data.results) {
    const row = grouped[result.variant] as (LoadedResult[] | null)[];
    const list = row[result.case];
    if (list) list.push(result);
    else row[result.case] = [result];
  }
  const aggregates = grouped.map((row) => row.map((results) => (results ? aggregateCase(results) : null)));
  const analysed = Array.from({ length: caseCount }, (_, index) => aggregates.every((row) => row[index] !== null));
  const samples: CallSamples[] = grouped.map(() => ({
    latency: [],
    ttft: [],
    cost: [],
    inputTokens: [],
    outputTokens: [],
    results: 0,
    errors: 0,
    cached: 0,
  }));
  for (const result of data.results) {
    if (!analysed[result.case]) continue;
    const sample = samples[result.variant] as CallSamples;
    sample.results++;
    if (result.cached) sample.cached++;
    if (result.error !== null) {
      sample.errors++;
      continue;
    }
    // Cached answers took no time and cost nothing: they would flatter latency and cost.
    if (!result.cached) {
      if (result.latencyMs !== null) sample.latency.push(result.latencyMs);
      if (result.ttftMs !== null) sample.ttft.push(result.ttftMs);
      if (result.cost !== null) sample.cost.push(result.cost);
    }
    if (result.inputTokens !== null) sample.inputTokens.push(result.inputTokens);
    if (result.outputTokens !== null) sample.outputTokens.push(result.outputTokens);
  }
  const order = Array.from({ length: caseCount }, (_, index) => index).sort((left, right) => {
    const a = data.cases[left] as LoadedCase;
    const b = data.cases[right] as LoadedCase;
    return a.position - b.position || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  });
  return { aggregates, order, analysed, samples };
}

function rounded(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** USD per call is tiny: keep 3 significant digits rather than a fixed number of decimals. */
function roundedCost(value: number | null): number | null {
  return value === null || value === 0 ? value : Number(value.toPrecision(4));
}

/** The per-case list in display order, in columns so 5,000 cases stay a compact payload. */
export function caseColumns(data: ComparisonData, aggregated: Aggregated): CaseColumns {
  const { aggregates, order, analysed } = aggregated;
  const tagIndex = new Map<string, number>();
  const tagNames: string[] = [];
  const tags = order.map((caseIndex) =>
    (data.cases[caseIndex] as LoadedCase).tags.map((tag) => {
      let index = tagIndex.get(tag);
      if (index === undefined) {
        index = tagNames.length;
        tagIndex.set(tag, index);
        tagNames.push(tag);
      }
      return index;
    }),
  );
  return {
    keys: order.map((caseIndex) => (data.cases[caseIndex] as LoadedCase).key),
    positions: order.map((caseIndex) => (data.cases[caseIndex] as LoadedCase).position),
    tags,
    tagNames,
    inputs: order.map((caseIndex) => (data.cases[caseIndex] as LoadedCase).input),
    analysed: order.map((caseIndex) => analysed[caseIndex] as boolean),
    columns: data.variants.map((variant, variantIndex) => {
      const row = aggregates[variantIndex] as (CaseAggregate | null)[];
      const cells = order.map((caseIndex) => row[caseIndex] ?? null);
      return {
        variantId: variant.id,
        pass: cells.map((cell) => (cell && cell.graded > 0 ? rounded(cell.passed / cell.graded, 3) : null)),
        score: cells.map((cell) => rounded(cell?.score ?? null, 4)),
        latency: cells.map((cell) => rounded(cell?.latency ?? null, 1)),
        ttft: cells.map((cell) => rounded(cell?.ttft ?? null, 1)),
        inputTokens: cells.map((cell) => rounded(cell?.inputTokens ?? null, 1)),
        outputTokens: cells.map((cell) => rounded(cell?.outputTokens ?? null, 1)),
        cost: cells.map((cell) => roundedCost(cell?.cost ?? null)),
        repeats: cells.map((cell) => cell?.results ?? 0),
        cached: cells.map((cell) => cell?.cached ?? 0),
        errors: cells.map((cell) => cell?.first.error ?? null),
      };
    }),
  };
}
