import {
  createRng,
  DEFAULT_SEED,
  holm,
  hodgesLehmannInterval,
  mannWhitneyU,
  mcnemarExact,
  quantileOfSorted,
  sampleSizeForProportions,
  sortedCopy,
  wilsonInterval,
} from "../stats/index.ts";
import { aggregate, caseColumns } from "./aggregate.ts";
import type { Aggregated, CallSamples, CaseAggregate, ComparisonData } from "./aggregate.ts";
import { meanInterval, newcombePairedInterval, pairedMeanDifference } from "./intervals.ts";
import { pairedBootstrap } from "./paired-bootstrap.ts";
import { quantileEstimates, quantileReplicates } from "./quantile-bootstrap.ts";
import { tagBreakdown } from "./tags.ts";
import type {
  Comparison,
  EcdfSeries,
  Interval,
  MetricComparison,
  MetricKey,
  PairComparison,
  PassCounts,
  PercentileDifference,
  PercentileStats,
  VariantStats,
} from "./types.ts";
import { PERCENTILE_NAMES, PERCENTILES } from "./types.ts";
import {
  costVerdict,
  latencyVerdict,
  passRateVerdict,
  scoreVerdict,
  SIGNIFICANCE,
  tokensVerdict,
} from "./verdict.ts";

export interface ComputeOptions {
  /** bootstrap resamples; 10,000 by default */
  resamples?: number;
  seed?: number;
  /** the difference in pass rate the sample-size sentence talks about; 0.05 by default */
  detectableDifference?: number;
}

const ECDF_POINTS = 240;
const CONFIDENCE = 0.95;

/** Replicates of the four percentiles of one variant's calls, kept to form the differences between variants. */
interface PercentileBootstrap {
  sorted: Float64Array;
  replicates: Float64Array[];
}

function bounds(replicates: Float64Array, estimate: number): Interval {
  const sorted = Float64Array.from(replicates).sort();
  return { estimate, low: quantileOfSorted(sorted, 0.025), high: quantileOfSorted(sorted, 0.975) };
}

function percentileBootstrap(values: number[], resamples: number, seed: number): PercentileBootstrap {
  const sorted = sortedCopy(values);
  return { sorted, replicates: quantileReplicates(sorted, PERCENTILES, resamples, createRng(seed)) };
}

function percentileStats(bootstrap: PercentileBootstrap): PercentileStats {
  const { sorted, replicates } = bootstrap;
  if (sorted.length === 0) return { calls: 0, percentiles: null, mean: null };
  const estimates = quantileEstimates(sorted, PERCENTILES);
  const entries = PERCENTILE_NAMES.map((name, index) => [name, bounds(replicates[index] as Float64Array, estimates[index] as number)] as const);
  let sum = 0;
  for (const value of sorted) sum += value;
  return { calls: sorted.length, percentiles: Object.fromEntries(entries) as PercentileStats["percentiles"], mean: sum / sorted.length };
}

function percentileDifferences(a: PercentileBootstrap, b: PercentileBootstrap): PercentileDifference[] {
  if (a.sorted.length === 0 || b.sorted.length === 0) return [];
  const estimatesA = quantileEstimates(a.sorted, PERCENTILES);
  const estimatesB = quantileEstimates(b.sorted, PERCENTILES);
  return PERCENTILE_NAMES.map((name, index) => {
    const replicatesA = a.replicates[index] as Float64Array;
    const replicatesB = b.replicates[index] as Float64Array;
    // The two variants' calls are independent samples, so replicate r of each pairs into a replicate of the difference.
    const differences = replicatesB.map((value, r) => value - (replicatesA[r] as number));
    return { name, ...bounds(differences, (estimatesB[index] as number) - (estimatesA[index] as number)) };
  });
}

function ecdfSeries(variantId: string, sorted: Float64Array): EcdfSeries {
  const n = sorted.length;
  if (n === 0) return { variantId, x: [], y: [] };
  const points = Math.min(n, ECDF_POINTS);
  const x: number[] = [];
  const y: number[] = [];
  for (let point = 0; point < points; point++) {
    const index = points === 1 ? n - 1 : Math.round((point * (n - 1)) / (points - 1));
    x.push(Math.round((sorted[index] as number) * 10) / 10);
    y.push(Math.round(((index + 1) / n) * 10_000) / 10_000);
  }
  return { variantId, x, y };
}

function perCallInterval(values: number[], scale: number): (Interval & { calls: number }) | null {
  if (values.length === 0) return null;
  const interval = meanInterval(values, CONFIDENCE);
  return { estimate: interval.estimate * scale, low: interval.low * scale, high: interval.high * scale, calls: values.length };
}

/** Paired per-case columns of two variants over the analysed cases where both have a value. */
function pairedColumn(
  aggregated: Aggregated,
  a: number,
  b: number,
  pick: (cell: CaseAggregate) => number | null,
): { a: number[]; b: number[] } {
  const left: number[] = [];
  const right: number[] = [];
  const rowA = aggregated.aggregates[a] as (CaseAggregate | null)[];
  const rowB = aggregated.aggregates[b] as (CaseAggregate | null)[];
  for (let index = 0; index < rowA.length; index++) {
    if (!aggregated.analysed[index]) continue;
    const cellA = rowA[index];
    const cellB = rowB[index];
    if (!cellA || !cellB) continue;
    const valueA = pick(cellA);
    const valueB = pick(cellB);
    if (valueA === null || valueB === null) continue;
    left.push(valueA);
    right.push(valueB);
  }
  return { a: left, b: right };
}

const passShare = (cell: CaseAggregate): number | null => (cell.graded > 0 ? cell.passed / cell.graded : null);

/** True when every analysed case has exactly one graded result for both variants: McNemar and Wilson apply. */
function singleOutcomes(aggregated: Aggregated, variants: number[]): boolean {
  return variants.every((variant) =>
    (aggregated.aggregates[variant] as (CaseAggregate | null)[]).every(
      (cell, index) => !aggregated.analysed[index] || cell === null || cell.graded <= 1,
    ),
  );
}

interface RawMetric {
  metric: MetricKey;
  diff: number;
  low: number;
  high: number;
  pValue: number;
  n: number;
  method: string;
  /** figures the verdict needs besides the difference */
  context: Record<string, number | null>;
}

interface PairWork {
  pair: Omit<PairComparison, "metrics">;
  raw: RawMetric[];
  /** per-side intervals from the paired bootstraps, for the variant summaries */
  sides: { passRate?: [Interval, Interval]; score?: [Interval, Interval, number] };
}

function comparePair(
  data: ComparisonData,
  aggregated: Aggregated,
  latency: PercentileBootstrap[],
  ttft: PercentileBootstrap[],
  b: number,
  options: Required<ComputeOptions>,
): PairWork {
  const a = 0;
  const raw: RawMetric[] = [];
  const sides: PairWork["sides"] = {};
  const single = singleOutcomes(aggregated, [a, b]);

  // Pass rate, paired over cases graded for both.
  const pass = pairedColumn(aggregated, a, b, passShare);
  let passCounts: PassCounts | null = null;
  if (pass.a.length > 0) {
    const n = pass.a.length;
    const meanA = pass.a.reduce((sum, value) => sum + value, 0) / n;
    const detectable = options.detectableDifference;
    const target = meanA + detectable <= 1 ? meanA + detectable : meanA - detectable;
    const casesNeeded = target >= 0 && target <= 1 ? sampleSizeForProportions(meanA, target) : null;
    if (single) {
      const counts = { bothPass: 0, onlyA: 0, onlyB: 0, bothFail: 0 };
      pass.a.forEach((valueA, index) => {
        const valueB = pass.b[index] as number;
        if (valueA === 1 && valueB === 1) counts.bothPass++;
        else if (valueA === 1) counts.onlyA++;
        else if (valueB === 1) counts.onlyB++;
        else counts.bothFail++;
      });
      passCounts = counts;
      const interval = newcombePairedInterval(
        { bothPass: counts.bothPass, onlyFirst: counts.onlyB, onlySecond: counts.onlyA, bothFail: counts.bothFail },
        CONFIDENCE,
      );
      raw.push({
        metric: "passRate",
        diff: interval.estimate,
        low: interval.low,
        high: interval.high,
        pValue: mcnemarExact(counts.onlyA, counts.onlyB).pValue,
        n,
        method: "McNemar exact test on paired cases; Newcombe interval for the paired difference",
        context: { casesNeeded: Number.isFinite(casesNeeded) ? casesNeeded : null },
      });
    } else {
      const result = pairedBootstrap(pass.a, pass.b, { resamples: options.resamples, seed: options.seed, confidence: CONFIDENCE });
      sides.passRate = [result.meanA, result.meanB];
      raw.push({
        metric: "passRate",
        diff: result.diff.estimate,
        low: result.diff.low,
        high: result.diff.high,
        pValue: result.pValue,
        n,
        method: "paired bootstrap over cases of the share of repeats that pass (cases have repeats, so McNemar does not apply)",
        context: { casesNeeded: Number.isFinite(casesNeeded) ? casesNeeded : null },
      });
    }
  }

  // Mean score, paired bootstrap over cases scored for both.
  const score = pairedColumn(aggregated, a, b, (cell) => cell.score);
  if (score.a.length > 0) {
    const result = pairedBootstrap(score.a, score.b, { resamples: options.resamples, seed: options.seed, confidence: CONFIDENCE });
    sides.score = [result.meanA, result.meanB, score.a.length];
    raw.push({
      metric: "score",
      diff: result.diff.estimate,
      low: result.diff.low,
      high: result.diff.high,
      pValue: result.pValue,
      n: score.a.length,
      method: `paired bootstrap of the mean score difference (${options.resamples.toLocaleString("en-US")} resamples, seed ${options.seed})`,
      context: {},
    });
  }

  // Latency and time to first token: every measured call, Hodges–Lehmann shift and Mann–Whitney test.
  for (const [metric, samples] of [
    ["latency", latency],
    ["ttft", ttft],
  ] as const) {
    const sampleA = (samples[a] as PercentileBootstrap).sorted;
    const sampleB = (samples[b] as PercentileBootstrap).sorted;
    if (sampleA.length < 2 || sampleB.length < 2) continue;
    const listA = Array.from(sampleA);
    const listB = Array.from(sampleB);
    const shift = hodgesLehmannInterval(listA, listB, { confidence: CONFIDENCE });
    raw.push({
      metric,
      diff: shift.estimate,
      low: shift.low,
      high: shift.high,
      pValue: mannWhitneyU(listA, listB).pValue,
      n: sampleA.length + sampleB.length,
      method: "Hodges–Lehmann shift with its Moses interval; Mann–Whitney U test (cached answers and errors left out)",
      context: { p95A: quantileOfSorted(sampleA, 0.95), p95B: quantileOfSorted(sampleB, 0.95) },
    });
  }

  // Cost and tokens per call, paired over cases.
  for (const [metric, pick, scale] of [
    ["cost", (cell: CaseAggregate) => cell.cost, 1000],
    ["inputTokens", (cell: CaseAggregate) => cell.inputTokens, 1],
    ["outputTokens", (cell: CaseAggregate) => cell.outputTokens, 1],
  ] as const) {
    const column = pairedColumn(aggregated, a, b, pick);
    if (column.a.length < 2) continue;
    const difference = pairedMeanDifference(column.a, column.b, CONFIDENCE);
    const meanA = column.a.reduce((sum, value) => sum + value, 0) / column.a.length;
    const meanB = column.b.reduce((sum, value) => sum + value, 0) / column.b.length;
    raw.push({
      metric,
      diff: difference.estimate * scale,
      low: difference.low * scale,
      high: difference.high * scale,
      pValue: difference.pValue,
      n: column.a.length,
      method: "paired mean difference over cases, normal approximation",
      context: { meanA: meanA * scale, meanB: meanB * scale },
    });
  }

  return {
    pair: {
      baselineId: (data.variants[a] as { id: string }).id,
      variantId: (data.variants[b] as { id: string }).id,
      passCounts,
      latencyPercentiles: percentileDifferences(latency[a] as PercentileBootstrap, latency[b] as PercentileBootstrap),
      ttftPercentiles: percentileDifferences(ttft[a] as PercentileBootstrap, ttft[b] as PercentileBootstrap),
      tags: tagBreakdown(data, aggregated, a, b, single),
    },
    raw,
    sides,
  };
}

function verdictFor(raw: RawMetric, adjustedP: number, subject: string, baseline: string, multiple: boolean): MetricComparison {
  const significant = adjustedP < SIGNIFICANCE && raw.diff !== 0;
  const input = { subject, baseline, multiple, diff: raw.diff, low: raw.low, high: raw.high, pValue: adjustedP, significant };
  const context = raw.context;
  let verdict: string;
  switch (raw.metric) {
    case "passRate":
      verdict = passRateVerdict({ ...input, cases: raw.n, casesNeeded: context.casesNeeded ?? null });
      break;
    case "score":
      verdict = scoreVerdict(input);
      break;
    case "latency":
    case "ttft":
      verdict = latencyVerdict({
        ...input,
        what: raw.metric === "latency" ? "latency" : "time to first token",
        p95A: context.p95A ?? null,
        p95B: context.p95B ?? null,
      });
      break;
    case "cost":
      verdict = costVerdict({ ...input, perThousandA: context.meanA ?? 0, perThousandB: context.meanB ?? 0 });
      break;
    default:
      verdict = tokensVerdict({ ...input, kind: raw.metric === "inputTokens" ? "input" : "output" });
  }
  return {
    metric: raw.metric,
    diff: raw.diff,
    low: raw.low,
    high: raw.high,
    pValue: raw.pValue,
    adjustedP,
    significant,
    n: raw.n,
    method: raw.method,
    verdict,
    ...(raw.metric === "passRate" ? { casesNeeded: context.casesNeeded ?? null } : {}),
  };
}

function stabilityOf(aggregated: Aggregated, variant: number): VariantStats["stability"] {
  let cases = 0;
  let flipping = 0;
  let identical = 0;
  (aggregated.aggregates[variant] as (CaseAggregate | null)[]).forEach((cell, index) => {
    if (!cell || !aggregated.analysed[index] || cell.results < 2) return;
    cases++;
    if (cell.flips) flipping++;
    if (cell.identicalOutputs) identical++;
  });
  if (cases === 0) return null;
  return { cases, flipping, share: { estimate: flipping / cases, ...wilsonInterval(flipping, cases, CONFIDENCE) }, identicalOutputs: identical };
}

function passRateStats(aggregated: Aggregated, variant: number, single: boolean, fromBootstrap: Interval | undefined): VariantStats["passRate"] {
  let graded = 0;
  let passed = 0;
  let shareSum = 0;
  let cases = 0;
  (aggregated.aggregates[variant] as (CaseAggregate | null)[]).forEach((cell, index) => {
    if (!cell || !aggregated.analysed[index] || cell.graded === 0) return;
    graded += cell.graded;
    passed += cell.passed;
    shareSum += cell.passed / cell.graded;
    cases++;
  });
  if (cases === 0) return null;
  if (single || !fromBootstrap) {
    return { estimate: passed / graded, ...wilsonInterval(passed, graded, CONFIDENCE), passed, graded, method: "wilson" };
  }
  return { estimate: shareSum / cases, low: fromBootstrap.low, high: fromBootstrap.high, passed, graded, method: "bootstrap" };
}

function variantStats(
  data: ComparisonData,
  aggregated: Aggregated,
  variant: number,
  latency: PercentileBootstrap,
  ttft: PercentileBootstrap,
  work: PairWork[],
): VariantStats {
  const samples = aggregated.samples[variant] as CallSamples;
  // Per-side intervals from the paired bootstrap with the baseline (the baseline's from the first pair).
  const pairWork = variant === 0 ? work[0] : work[variant - 1];
  const side = variant === 0 ? 0 : 1;
  const passSide = pairWork?.sides.passRate?.[side];
  const scoreSide = pairWork?.sides.score;
  const single = singleOutcomes(aggregated, [variant]);
  return {
    variantId: (data.variants[variant] as { id: string }).id,
    results: samples.results,
    errors: samples.errors,
    cached: samples.cached,
    passRate: passRateStats(aggregated, variant, single, passSide),
    meanScore: scoreSide ? { ...(scoreSide[side] as Interval), cases: scoreSide[2] } : null,
    latency: percentileStats(latency),
    ttft: percentileStats(ttft),
    costPer1k: perCallInterval(samples.cost, 1000),
    inputTokensPerCall: perCallInterval(samples.inputTokens, 1),
    outputTokensPerCall: perCallInterval(samples.outputTokens, 1),
    stability: stabilityOf(aggregated, variant),
  };
}

/**
 * Everything the compare screen shows, computed once: per-variant figures with intervals, every variant against
 * the baseline (the first) with intervals, p-values (Holm-adjusted across the comparisons when there are more than
 * two variants) and verdicts, plots and the per-case columns. Pure: the same data and seed give the same figures.
 */
export function computeComparison(data: ComparisonData, options: ComputeOptions = {}): Comparison {
  const started = performance.now();
  const resolved: Required<ComputeOptions> = {
    resamples: options.resamples ?? 10_000,
    seed: options.seed ?? DEFAULT_SEED,
    detectableDifference: options.detectableDifference ?? 0.05,
  };
  if (data.variants.length < 2) throw new Error("a comparison needs at least two variants");
  const aggregated = aggregate(data);
  // Each variant's percentile replicates get their own stream, so adding a variant never changes another's figures.
  const latency = aggregated.samples.map((sample, index) => percentileBootstrap(sample.latency, resolved.resamples, resolved.seed + 1 + 2 * index));
  const ttft = aggregated.samples.map((sample, index) => percentileBootstrap(sample.ttft, resolved.resamples, resolved.seed + 2 + 2 * index));
  const work = data.variants.slice(1).map((_, index) => comparePair(data, aggregated, latency, ttft, index + 1, resolved));

  const multiple = data.variants.length > 2;
  const adjusted = new Map<RawMetric, number>();
  const metrics: MetricKey[] = ["passRate", "score", "latency", "ttft", "cost", "inputTokens", "outputTokens"];
  for (const metric of metrics) {
    const family = work.flatMap((item) => item.raw.filter((raw) => raw.metric === metric && Number.isFinite(raw.pValue)));
    const values = multiple ? holm(family.map((raw) => raw.pValue)) : family.map((raw) => raw.pValue);
    family.forEach((raw, index) => adjusted.set(raw, values[index] as number));
  }
  const baselineLetter = (data.variants[0] as { letter: string }).letter;
  const pairs: PairComparison[] = work.map((item, index) => {
    const letter = (data.variants[index + 1] as { letter: string }).letter;
    return {
      ...item.pair,
      metrics: item.raw.map((raw) => verdictFor(raw, adjusted.get(raw) ?? raw.pValue, letter, baselineLetter, multiple)),
    };
  });

  const stats = data.variants.map((_, index) =>
    variantStats(data, aggregated, index, latency[index] as PercentileBootstrap, ttft[index] as PercentileBootstrap, work),
  );
  const analysedCases = aggregated.analysed.filter(Boolean).length;
  const notes = [...(data.notes ?? [])];
  const incompleteCases = data.cases.length - analysedCases;
  if (incompleteCases > 0) {
    notes.push(
      `${incompleteCases.toLocaleString("en-US")} case${incompleteCases === 1 ? " is" : "s are"} left out of the statistics: not every variant has a result for ${incompleteCases === 1 ? "it" : "them"} (yet).`,
    );
  }
  const cachedTotal = stats.reduce((sum, item) => sum + item.cached, 0);
  if (cachedTotal > 0) {
    notes.push(`${cachedTotal.toLocaleString("en-US")} cached answer${cachedTotal === 1 ? " is" : "s are"} left out of latency, time to first token and cost.`);
  }
  if (!singleOutcomes(aggregated, data.variants.map((_, index) => index))) {
    notes.push("Cases have repeats: pass rates are the share of repeats that pass, compared by a paired bootstrap over cases.");
  }
  return {
    variants: data.variants,
    stats,
    pairs,
    holmCorrected: multiple,
    analysedCases,
    incompleteCases,
    latencyEcdf: latency.map((item, index) => ecdfSeries((data.variants[index] as { id: string }).id, item.sorted)),
    ttftEcdf: ttft.map((item, index) => ecdfSeries((data.variants[index] as { id: string }).id, item.sorted)),
    cases: caseColumns(data, aggregated),
    // Filled by the service, which knows where outputs live; the figures never depend on them.
    firstOutputs: {},
    notes,
    resamples: resolved.resamples,
    seed: resolved.seed,
    computedAt: new Date().toISOString(),
    computeMs: Math.round(performance.now() - started),
    final: data.final,
  };
}
