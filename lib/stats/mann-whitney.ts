import { normalCdf } from "./distributions.ts";
import { sortedCopy } from "./descriptive.ts";
import { checkSample } from "./validate.ts";

export interface RankSummary {
  /** Sum of the ranks of `a` in the pooled sample (average ranks for ties). */
  rankSumA: number;
  /** Σ (t³ − t) over groups of t tied values. */
  tieTerm: number;
  hasTies: boolean;
}

/** Ranks by merging the two sorted samples, so each tie group is met once with its count from each side. */
export function rankSummary(sortedA: Float64Array, sortedB: Float64Array): RankSummary {
  let i = 0;
  let j = 0;
  let rankedSoFar = 0;
  let rankSumA = 0;
  let tieTerm = 0;
  while (i < sortedA.length || j < sortedB.length) {
    const nextA = i < sortedA.length ? (sortedA[i] as number) : Number.POSITIVE_INFINITY;
    const nextB = j < sortedB.length ? (sortedB[j] as number) : Number.POSITIVE_INFINITY;
    const value = Math.min(nextA, nextB);
    let fromA = 0;
    let fromB = 0;
    while (i < sortedA.length && sortedA[i] === value) {
      fromA++;
      i++;
    }
    while (j < sortedB.length && sortedB[j] === value) {
      fromB++;
      j++;
    }
    const size = fromA + fromB;
    // Ranks rankedSoFar+1 … rankedSoFar+size share their average.
    rankSumA += fromA * (rankedSoFar + (size + 1) / 2);
    tieTerm += size * size * size - size;
    rankedSoFar += size;
  }
  return { rankSumA, tieTerm, hasTies: tieTerm > 0 };
}

/**
 * P(U ≤ u) under the null for samples of sizes n1, n2 without ties (u an integer). The counts of U are the coefficients of the
 * Gaussian binomial ∏ (1 − q^(large+i)) / (1 − q^i), i = 1 … small, truncated at degree u:
 * O(small · u) work, so samples up to 8 against thousands stay instant.
 */
export function mannWhitneyExactCdf(u: number, n1: number, n2: number): number {
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  const counts = new Float64Array(u + 1);
  counts[0] = 1;
  for (let i = 1; i <= small; i++) {
    const shift = large + i;
    for (let k = u; k >= shift; k--) counts[k] = (counts[k] as number) - (counts[k - shift] as number);
    for (let k = i; k <= u; k++) counts[k] = (counts[k] as number) + (counts[k - i] as number);
  }
  let arrangements = 1;
  for (let i = 1; i <= small; i++) arrangements = (arrangements * (large + i)) / i;
  let total = 0;
  for (let k = 0; k <= u; k++) total += counts[k] as number;
  return total / arrangements;
}

/**
 * Two-sided Mann–Whitney U test, matching scipy's `mannwhitneyu(a, b)` with method "auto": `u` is the statistic
 * for `a` (how often a value of a beats one of b, ties counting ½). The p-value is exact when either sample has at
 * most 8 values and there are no ties; otherwise the normal approximation with tie and continuity corrections.
 * An empty sample carries no evidence: u = 0, p = 1.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): { u: number; pValue: number } {
  checkSample(a, "a");
  checkSample(b, "b");
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, pValue: 1 };
  const { rankSumA, tieTerm, hasTies } = rankSummary(sortedCopy(a), sortedCopy(b));
  const u1 = rankSumA - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const useExact = !(n1 > 8 && n2 > 8) && !hasTies;
  if (useExact) {
    // The null distribution is symmetric, so P(U ≥ max) = P(U ≤ min).
    const pValue = 2 * mannWhitneyExactCdf(Math.min(u1, u2), n1, n2);
    return { u: u1, pValue: Math.min(1, pValue) };
  }
  const n = n1 + n2;
  const meanU = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  // Every value tied: the ranks say nothing.
  if (!(variance > 0)) return { u: u1, pValue: 1 };
  const z = (Math.max(u1, u2) - meanU - 0.5) / Math.sqrt(variance);
  return { u: u1, pValue: Math.min(1, Math.max(0, 2 * normalCdf(-z))) };
}
