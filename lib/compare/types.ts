// What the compare screen receives: computed once on the server, compact (per-case data in columns, plots
// downsampled), safe to import from client components (no server code here). Unknown figures are null, never NaN:
// JSON has no NaN.

export const PERCENTILES = [0.5, 0.9, 0.95, 0.99] as const;
export type PercentileName = "p50" | "p90" | "p95" | "p99";
export const PERCENTILE_NAMES: PercentileName[] = ["p50", "p90", "p95", "p99"];

/** A figure with its 95 % interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface CompareVariant {
  id: string;
  /** "A", "B", "C", … in the order given; A is the baseline every other variant is compared with */
  letter: string;
  label: string;
  runId: string;
  runName: string;
  runStatus: string;
  runCreatedAt: string;
  repeats: number;
  suiteId: string | null;
  suiteName: string | null;
  model: string;
  connectionName: string | null;
  promptName: string | null;
  versionNumber: number | null;
  examples: number;
  counterexamples: number;
}

export interface PassRateStats extends Interval {
  passed: number;
  graded: number;
  /** "wilson" with one result per case; "bootstrap" over cases when cases have repeats */
  method: "wilson" | "bootstrap";
}

export interface PercentileStats {
  /** calls measured (cached answers and errors left out) */
  calls: number;
  /** keyed p50, p90, p95, p99 */
  percentiles: Record<PercentileName, Interval> | null;
  mean: number | null;
}

export interface VariantStats {
  variantId: string;
  /** results stored for the analysed cases (repeats included) */
  results: number;
  errors: number;
  cached: number;
  passRate: PassRateStats | null;
  meanScore: (Interval & { cases: number }) | null;
  latency: PercentileStats;
  ttft: PercentileStats;
  /** USD per 1,000 calls (cached answers left out: they cost nothing) */
  costPer1k: (Interval & { calls: number }) | null;
  inputTokensPerCall: (Interval & { calls: number }) | null;
  outputTokensPerCall: (Interval & { calls: number }) | null;
  /** null when no case has two or more repeats */
  stability: {
    cases: number;
    /** cases whose pass/fail changes across repeats */
    flipping: number;
    share: Interval;
    /** cases whose output text is identical across all repeats */
    identicalOutputs: number;
  } | null;
}

export type MetricKey = "passRate" | "score" | "latency" | "ttft" | "cost" | "inputTokens" | "outputTokens";

/** The difference B − A of one metric, with its interval, p-value and the sentence that says what it means. */
export interface MetricComparison {
  metric: MetricKey;
  /** B − A in the metric's unit (share for pass rate, ms for latency, USD per 1,000 calls for cost) */
  diff: number;
  low: number;
  high: number;
  pValue: number;
  /** Holm-adjusted over the comparisons with the baseline when more than two variants are compared; else pValue */
  adjustedP: number;
  significant: boolean;
  /** the cases or calls the comparison rests on */
  n: number;
  method: string;
  verdict: string;
  /** pass rate: cases needed per variant to detect a 5-point difference with 80 % power */
  casesNeeded?: number | null;
}

export interface PassCounts {
  bothPass: number;
  onlyA: number;
  onlyB: number;
  bothFail: number;
}

export interface PercentileDifference extends Interval {
  name: PercentileName;
}

export interface TagRow {
  tag: string;
  cases: number;
  passRateA: Interval | null;
  passRateB: Interval | null;
  diff: number | null;
  pValue: number | null;
  /** Holm-adjusted across the tags */
  adjustedP: number | null;
}

export interface PairComparison {
  baselineId: string;
  variantId: string;
  metrics: MetricComparison[];
  passCounts: PassCounts | null;
  latencyPercentiles: PercentileDifference[];
  ttftPercentiles: PercentileDifference[];
  tags: TagRow[];
}

export interface EcdfSeries {
  variantId: string;
  /** ascending values (ms) and the share of calls at or below each; at most a few hundred points */
  x: number[];
  y: number[];
}

/**
 * Per-case data in columns: `cases.keys[i]` is case i; `columns[v].pass[i]` is variant v's figure for it.
 * Pass is the share of repeats that passed (1 or 0 without repeats), null when not graded or not run.
 */
export interface CaseColumns {
  keys: string[];
  positions: number[];
  /** indices into tagNames */
  tags: number[][];
  tagNames: string[];
  /** the case's variables as short text, for search and the row header */
  inputs: string[];
  /** case is in the analysed set (every variant has a result for it) */
  analysed: boolean[];
  columns: VariantColumns[];
}

export interface VariantColumns {
  variantId: string;
  pass: (number | null)[];
  score: (number | null)[];
  /** median over non-cached repeats, ms */
  latency: (number | null)[];
  ttft: (number | null)[];
  inputTokens: (number | null)[];
  outputTokens: (number | null)[];
  cost: (number | null)[];
  repeats: number[];
  cached: number[];
  /** the first repeat's error message, if any */
  errors: (string | null)[];
}

/** The first repeat's output, cut to OUTPUT_PREVIEW characters; `length` is the full length. */
export interface OutputPreview {
  text: string | null;
  length: number;
}

/** variant id → case key → output preview */
export type OutputPreviews = Record<string, Record<string, OutputPreview>>;

export const OUTPUT_PREVIEW = 400;
/** cases (in display order) whose outputs come with the comparison, so the first screen needs no second request */
export const FIRST_OUTPUTS = 40;

export interface WinRate {
  /** B wins / (B wins + A wins) over the counted cases */
  wins: number;
  losses: number;
  ties: number;
  rate: Interval | null;
  pValue: number | null;
}

export interface PreferenceSummary {
  baselineId: string;
  variantId: string;
  people: WinRate & { votes: number; voters: number; cases: number };
  judges: JudgeSummary[];
}

export interface JudgeSummary {
  judge: string;
  /** cases judged in both orders */
  cases: number;
  /** cases where the two orders agreed (only these count) */
  agreed: number;
  /** share of cases where the verdict changed with the order: position bias */
  positionBias: Interval | null;
  winRate: WinRate;
}

export interface Comparison {
  variants: CompareVariant[];
  /** stats for each variant over the analysed cases */
  stats: VariantStats[];
  /** every other variant against the baseline (variants[0]) */
  pairs: PairComparison[];
  holmCorrected: boolean;
  /** cases every variant has a result for */
  analysedCases: number;
  /** cases some variant has not run (yet) */
  incompleteCases: number;
  latencyEcdf: EcdfSeries[];
  ttftEcdf: EcdfSeries[];
  cases: CaseColumns;
  /** outputs of the first FIRST_OUTPUTS cases for every variant; the rest are fetched as the list scrolls */
  firstOutputs: OutputPreviews;
  notes: string[];
  resamples: number;
  seed: number;
  computedAt: string;
  computeMs: number;
  /** every run has finished: the figures will not change */
  final: boolean;
}
