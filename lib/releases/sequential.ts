import { hodgesLehmannInterval, normalCdf, quantileOfSorted, sortedCopy } from "../stats/index.ts";
import { rankSummary } from "../stats/mann-whitney.ts";

// Always-valid sequential tests for the release guards (docs/guards.md). Each guard asks one one-sided question:
// "is the candidate worse than stable by more than the tolerated worsening δ?" — H0: θ ≤ δ against H1: θ > δ, where
// θ is the harm (candidate's error rate − stable's, stable's pass rate − candidate's, …). The evidence is the mixture
// sequential probability ratio (mSPRT, Johari, Koomen, Pekelis & Walsh, "Always valid inference", 2017/2022) for an
// asymptotically normal estimate θ̂ with variance V, mixing over the alternative with a half-normal N(δ, τ²)
// restricted to θ > δ:
//
//   Λ = 2 · sqrt(V / (V + τ²)) · exp(τ² d² / (2 V (V + τ²))) · Φ(τ d / sqrt(V (V + τ²))),   d = θ̂ − δ
//
// Under H0 Λ is (asymptotically) a non-negative supermartingale with E[Λ] ≤ 1, so by Ville's inequality
// P(Λ ever ≥ 1/α) ≤ α however often it is looked at. A guard breaches when log Λ ≥ log(1/α_g), α_g being its
// Bonferroni share of the release's α.

export interface SequentialEvidence {
  /** the estimated harm θ̂ (in the metric's unit, harm positive) */
  estimate: number;
  /** its variance V */
  variance: number;
  /** log Λ, the always-valid evidence of harm beyond `tolerance` */
  logLikelihoodRatio: number;
  /** log(1/alpha) */
  bound: number;
  /** log Λ ≥ bound */
  crossed: boolean;
  /** the always-valid (1 − alpha) confidence sequence on θ at this look (two-sided normal mixture) */
  low: number;
  high: number;
}

/** log Λ of the one-sided (half-normal) mixture, computed in logs so large evidence does not overflow. */
export function halfNormalMixtureLogLR(estimate: number, variance: number, tolerance: number, tau: number): number {
  if (!(variance > 0) || !Number.isFinite(estimate)) return 0;
  const tau2 = tau * tau;
  const d = estimate - tolerance;
  const total = variance + tau2;
  const z = (tau * d) / Math.sqrt(variance * total);
  return Math.log(2) + 0.5 * Math.log(variance / total) + (tau2 * d * d) / (2 * variance * total) + logNormalCdf(z);
}

function logNormalCdf(z: number): number {
  if (z > -30) return Math.log(normalCdf(z));
  // Mills ratio asymptote: log Φ(z) ≈ −z²/2 − log(−z √(2π)) for very negative z.
  return -0.5 * z * z - Math.log(-z * Math.sqrt(2 * Math.PI));
}

/**
 * The always-valid confidence sequence from inverting the two-sided normal-mixture mSPRT:
 * θ̂ ± sqrt(V (V + τ²) / τ² · (log((V + τ²) / V) + 2 log(1/α))).
 */
export function confidenceSequence(estimate: number, variance: number, tau: number, alpha: number): { low: number; high: number } {
  if (!(variance > 0) || !Number.isFinite(estimate)) return { low: Number.NaN, high: Number.NaN };
  const tau2 = tau * tau;
  const half = Math.sqrt(((variance * (variance + tau2)) / tau2) * (Math.log((variance + tau2) / variance) + 2 * Math.log(1 / alpha)));
  return { low: estimate - half, high: estimate + half };
}

export function msprt(estimate: number, variance: number, tolerance: number, tau: number, alpha: number): SequentialEvidence {
  const bound = Math.log(1 / alpha);
  const logLikelihoodRatio = halfNormalMixtureLogLR(estimate, variance, tolerance, tau);
  return { estimate, variance, logLikelihoodRatio, bound, crossed: logLikelihoodRatio >= bound, ...confidenceSequence(estimate, variance, tau, alpha) };
}

// Mixing scales τ: the size of harm the test is most sensitive to. Smaller τ favours small harms late, larger τ
// large harms early; Johari et al. show the choice matters little within an order of magnitude. Each is a few times
// the default tolerance, so a clear breach is caught within a few hundred calls.
export const TAU = { errorRate: 0.05, passRate: 0.05, feedback: 0.1, latencyAuc: 0.1 } as const;

/**
 * Proportions: harm = p_worse − p_better (e.g. candidate's error rate − stable's). Variances from the counts with
 * one pseudo-success and one pseudo-failure per arm, so an arm with 0 errors so far does not claim zero variance.
 */
export function proportionHarm(
  harmful: { events: number; trials: number },
  reference: { events: number; trials: number },
  tolerance: number,
  alpha: number,
  tau: number = TAU.errorRate,
): SequentialEvidence {
  const rate = (x: { events: number; trials: number }) => x.events / x.trials;
  const smoothed = (x: { events: number; trials: number }) => (x.events + 1) / (x.trials + 2);
  const variance =
    (smoothed(harmful) * (1 - smoothed(harmful))) / harmful.trials + (smoothed(reference) * (1 - smoothed(reference))) / reference.trials;
  return msprt(rate(harmful) - rate(reference), variance, tolerance, tau, alpha);
}

/** Means (feedback scores): harm = mean_reference − mean_candidate (a lower score is worse), Welch's variance. */
export function meanDecrease(
  candidate: { count: number; mean: number; variance: number },
  reference: { count: number; mean: number; variance: number },
  tolerance: number,
  alpha: number,
  tau: number = TAU.feedback,
): SequentialEvidence {
  // A floor on the per-observation variance: 10 identical scores are not proof of zero spread.
  const floor = 1e-4;
  const variance = Math.max(candidate.variance, floor) / candidate.count + Math.max(reference.variance, floor) / reference.count;
  return msprt(reference.mean - candidate.mean, variance, tolerance, tau, alpha);
}

export interface LatencyEvidence extends SequentialEvidence {
  /** P(candidate > stable × (1 + tolerance)) + ½ P(tie), the AUC behind the evidence */
  auc: number;
  /** Hodges–Lehmann shift candidate − stable (ms) with its 95 % interval */
  shift: number;
  shiftLow: number;
  shiftHigh: number;
  /** the tolerated shift in ms: tolerance × stable's median */
  toleratedShift: number;
  /** evidence crossed AND the shift exceeds the tolerated one */
  breach: boolean;
}

/**
 * Latency, as Kayenta's Mann–Whitney judge, made sequential. The evidence tests whether the candidate is slower than
 * stable scaled by (1 + tolerance): θ = AUC − ½ of candidate vs stable × (1 + tolerance), with the Mann–Whitney null
 * variance (m + n + 1) / (12 m n) (tie-corrected). A scale change is what a slower model or prompt does to latency,
 * so H0 "at most `tolerance` slower" is exactly θ ≤ 0 at every quantile. The size is the Hodges–Lehmann shift and its
 * interval; a breach needs the evidence across the bound AND the shift beyond tolerance × stable's median.
 */
export function latencyHarm(
  candidate: readonly number[],
  stable: readonly number[],
  tolerance: number,
  alpha: number,
  options: {
    tau?: number;
    /** compute the HL shift even when the evidence has not crossed (figures want it) */
    withShift?: boolean;
    /** both samples already in ascending order (saves two sorts per look in simulations) */
    sorted?: boolean;
  } = {},
): LatencyEvidence {
  const tau = options.tau ?? TAU.latencyAuc;
  const m = candidate.length;
  const n = stable.length;
  const bound = Math.log(1 / alpha);
  const empty: LatencyEvidence = {
    estimate: Number.NaN, variance: Number.NaN, logLikelihoodRatio: 0, bound, crossed: false, low: Number.NaN, high: Number.NaN,
    auc: Number.NaN, shift: Number.NaN, shiftLow: Number.NaN, shiftHigh: Number.NaN, toleratedShift: Number.NaN, breach: false,
  };
  if (m === 0 || n === 0) return empty;
  const sortedStable = options.sorted ? Float64Array.from(stable) : sortedCopy(stable);
  const scaled = sortedStable.map((value) => value * (1 + tolerance)); // scaling keeps the order
  const { aucA, tieTerm } = aucOfSorted(options.sorted ? Float64Array.from(candidate) : sortedCopy(candidate), scaled);
  const total = m + n;
  const variance = ((total + 1 - tieTerm / (total * (total - 1))) / (12 * m * n));
  const evidence = msprt(aucA - 0.5, variance, 0, tau, alpha);
  // The shift is only needed for the decision once the evidence has crossed (simulations look thousands of times).
  const hl = evidence.crossed || options.withShift ? hodgesLehmannInterval(stable, candidate) : { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const toleratedShift = tolerance * quantileOfSorted(sortedStable, 0.5);
  return {
    ...evidence,
    auc: aucA,
    shift: hl.estimate,
    shiftLow: hl.low,
    shiftHigh: hl.high,
    toleratedShift,
    breach: evidence.crossed && hl.estimate > toleratedShift,
  };
}

/** AUC of a over b (P(a > b) + ½ P(a = b)) from two sorted samples by one merge, and the pooled tie term Σ(t³ − t). */
function aucOfSorted(a: Float64Array, b: Float64Array): { aucA: number; tieTerm: number } {
  const { rankSumA, tieTerm } = rankSummary(a, b);
  const m = a.length;
  return { aucA: (rankSumA - (m * (m + 1)) / 2) / (m * b.length), tieTerm };
}
