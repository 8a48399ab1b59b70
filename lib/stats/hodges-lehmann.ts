import { sortedCopy } from "./descriptive.ts";
import { normalQuantile } from "./distributions.ts";
import { mannWhitneyExactCdf } from "./mann-whitney.ts";
import { createRng } from "./random.ts";
import type { Rng } from "./random.ts";
import { checkProbability, checkSample } from "./validate.ts";

/**
 * k-th smallest (0-based) of the m·n differences b[j] − a[i] without forming them. With both samples sorted,
 * row i (fixed a[i]) rises with j and the boundary "b[j] − a[i] < t" moves right as i grows, so the number of
 * differences below any t is counted in O(m + n) with two pointers. Each row keeps a window [lo, hi) of
 * candidates; a random candidate as pivot discards a constant share of them on average (Monahan's algorithm for
 * the Hodges–Lehmann estimator), so the whole search is O((m + n) log(mn)). The differences are always computed as
 * the floating-point b[j] − a[i], which is monotone in both indices, so the answer equals the brute-force median.
 */
function kthPairwiseDifference(a: Float64Array, b: Float64Array, k: number, rng: Rng): number {
  const m = a.length;
  const n = b.length;
  const lo = new Int32Array(m);
  const hi = new Int32Array(m).fill(n);
  const less = new Int32Array(m);
  const lessOrEqual = new Int32Array(m);
  const gatherBelow = Math.max(4 * (m + n), 4096);
  for (;;) {
    let active = 0;
    for (let i = 0; i < m; i++) active += (hi[i] as number) - (lo[i] as number);
    if (active <= gatherBelow) {
      let below = 0;
      const candidates = new Float64Array(active);
      let filled = 0;
      for (let i = 0; i < m; i++) {
        below += lo[i] as number;
        const ai = a[i] as number;
        for (let j = lo[i] as number; j < (hi[i] as number); j++) candidates[filled++] = (b[j] as number) - ai;
      }
      candidates.sort();
      return candidates[k - below] as number;
    }
    let pick = rng.nextInt(active);
    let pivot = Number.NaN;
    for (let i = 0; i < m; i++) {
      const width = (hi[i] as number) - (lo[i] as number);
      if (pick < width) {
        pivot = (b[(lo[i] as number) + pick] as number) - (a[i] as number);
        break;
      }
      pick -= width;
    }
    let countLess = 0;
    let countLessOrEqual = 0;
    let jLess = 0;
    let jLessOrEqual = 0;
    for (let i = 0; i < m; i++) {
      const ai = a[i] as number;
      while (jLess < n && (b[jLess] as number) - ai < pivot) jLess++;
      while (jLessOrEqual < n && (b[jLessOrEqual] as number) - ai <= pivot) jLessOrEqual++;
      less[i] = jLess;
      lessOrEqual[i] = jLessOrEqual;
      countLess += jLess;
      countLessOrEqual += jLessOrEqual;
    }
    if (k < countLess) {
      for (let i = 0; i < m; i++) if ((less[i] as number) < (hi[i] as number)) hi[i] = less[i] as number;
    } else if (k >= countLessOrEqual) {
      for (let i = 0; i < m; i++) if ((lessOrEqual[i] as number) > (lo[i] as number)) lo[i] = lessOrEqual[i] as number;
    } else {
      return pivot;
    }
  }
}

/**
 * Hodges–Lehmann shift: the median of all pairwise differences b[j] − a[i], the shift of B relative to A that
 * goes with the Mann–Whitney test (positive when B is larger, e.g. slower). Robust to outliers, unlike a
 * difference of means. NaN when either sample is empty. 5,000 × 5,000 takes milliseconds, not 25M allocations.
 */
export function hodgesLehmannShift(a: readonly number[], b: readonly number[]): number {
  checkSample(a, "a");
  checkSample(b, "b");
  if (a.length === 0 || b.length === 0) return Number.NaN;
  const sortedA = sortedCopy(a);
  const sortedB = sortedCopy(b);
  const total = a.length * b.length;
  // The pivot choice only affects speed, never the answer; a fixed seed keeps timings repeatable.
  const rng = createRng(1);
  const upperMiddle = kthPairwiseDifference(sortedA, sortedB, Math.floor(total / 2), rng);
  if (total % 2 === 1) return upperMiddle;
  const lowerMiddle = kthPairwiseDifference(sortedA, sortedB, total / 2 - 1, rng);
  return (lowerMiddle + upperMiddle) / 2;
}

/** Σ (t³ − t) over groups of t tied values in the pooled sample; 0 when every value is distinct. */
function pooledTieTerm(sortedA: Float64Array, sortedB: Float64Array): number {
  const pooled = new Float64Array(sortedA.length + sortedB.length);
  pooled.set(sortedA);
  pooled.set(sortedB, sortedA.length);
  pooled.sort();
  let term = 0;
  let run = 1;
  for (let index = 1; index <= pooled.length; index++) {
    if (index < pooled.length && pooled[index] === pooled[index - 1]) {
      run++;
      continue;
    }
    term += run * run * run - run;
    run = 1;
  }
  return term;
}

/**
 * The Hodges–Lehmann shift with its distribution-free (Moses) confidence interval: the interval is bounded by the
 * C-th smallest and C-th largest of the m·n differences b[j] − a[i], where C is the lower α/2 critical value of the
 * Mann–Whitney U statistic — so the interval excludes 0 exactly when the test rejects at that level. C comes from
 * the exact null distribution when both samples have fewer than 50 values and no ties (as R's
 * `wilcox.test(b, a, conf.int = TRUE)`), else from the normal approximation with tie correction (R solves the
 * continuity-corrected statistic numerically instead; the two agree to within one order statistic).
 * When the samples are too small for the confidence asked, the interval is the full range of the differences.
 * NaN throughout when either sample is empty.
 */
export function hodgesLehmannInterval(
  a: readonly number[],
  b: readonly number[],
  options: { confidence?: number } = {},
): { estimate: number; low: number; high: number } {
  checkSample(a, "a");
  checkSample(b, "b");
  const confidence = options.confidence ?? 0.95;
  checkProbability(confidence, "confidence", { open: true });
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const sortedA = sortedCopy(a);
  const sortedB = sortedCopy(b);
  const total = m * n;
  const alpha = 1 - confidence;
  const tieTerm = pooledTieTerm(sortedA, sortedB);
  let critical: number;
  if (m < 50 && n < 50 && tieTerm === 0) {
    // Smallest q with P(U ≤ q) ≥ α/2 (R's qwilcox), by bisection: the CDF rises with q.
    let low = 0;
    let high = total;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (mannWhitneyExactCdf(middle, m, n) >= alpha / 2) high = middle;
      else low = middle + 1;
    }
    critical = low;
  } else {
    const size = m + n;
    const variance = ((m * n) / 12) * (size + 1 - tieTerm / (size * (size - 1)));
    critical = variance > 0 ? Math.ceil(total / 2 - normalQuantile(1 - alpha / 2) * Math.sqrt(variance) - 0.5) : 1;
  }
  critical = Math.min(Math.max(critical, 1), Math.ceil(total / 2));
  const rng = createRng(1);
  return {
    estimate: hodgesLehmannShift(a, b),
    low: kthPairwiseDifference(sortedA, sortedB, critical - 1, rng),
    high: kthPairwiseDifference(sortedA, sortedB, total - critical, rng),
  };
}
