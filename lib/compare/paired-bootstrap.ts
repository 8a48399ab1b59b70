import { createRng, DEFAULT_SEED, quantileOfSorted } from "../stats/index.ts";
import type { Interval } from "./types.ts";

export interface PairedBootstrapResult {
  meanA: Interval;
  meanB: Interval;
  /** mean(b − a) with its percentile interval: the same interval as lib/stats pairedBootstrapMeanDiff */
  diff: Interval;
  /** two-sided bootstrap p-value for "no difference": 2 · the smaller share of replicates on either side of 0 */
  pValue: number;
}

const nan: Interval = { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };

/**
 * The paired bootstrap of lib/stats (same seed, same index stream, same interval for the difference), which also
 * reports each side's mean with its interval and a p-value, from one pass over the resamples: the compare screen
 * needs all of them and a second pass would double the dominant cost.
 */
export function pairedBootstrap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { resamples?: number; confidence?: number; seed?: number } = {},
): PairedBootstrapResult {
  const n = a.length;
  if (n !== b.length) throw new Error(`paired samples differ in length: ${n} and ${b.length}`);
  if (n === 0) return { meanA: nan, meanB: nan, diff: nan, pValue: Number.NaN };
  const resamples = options.resamples ?? 10_000;
  const alpha = 1 - (options.confidence ?? 0.95);
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  const differences = new Float64Array(n);
  const valuesA = Float64Array.from(a);
  let sum = 0;
  let sumA = 0;
  for (let i = 0; i < n; i++) {
    const difference = (b[i] as number) - (a[i] as number);
    differences[i] = difference;
    sum += difference;
    sumA += valuesA[i] as number;
  }
  const diffs = new Float64Array(resamples);
  const meansA = new Float64Array(resamples);
  const meansB = new Float64Array(resamples);
  const indices = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    rng.fillInts(indices, n);
    let resampleSum = 0;
    let resampleSumA = 0;
    for (let i = 0; i < n; i++) {
      const index = indices[i] as number;
      resampleSum += differences[index] as number;
      resampleSumA += valuesA[index] as number;
    }
    const meanDifference = resampleSum / n;
    const resampleMeanA = resampleSumA / n;
    diffs[r] = meanDifference;
    meansA[r] = resampleMeanA;
    meansB[r] = resampleMeanA + meanDifference;
  }
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let r = 0; r < resamples; r++) {
    const value = diffs[r] as number;
    if (value <= 0) atOrBelow++;
    if (value >= 0) atOrAbove++;
  }
  const bounds = (replicates: Float64Array, estimate: number): Interval => {
    replicates.sort();
    return { estimate, low: quantileOfSorted(replicates, alpha / 2), high: quantileOfSorted(replicates, 1 - alpha / 2) };
  };
  const meanA = sumA / n;
  return {
    meanA: bounds(meansA, meanA),
    meanB: bounds(meansB, meanA + sum / n),
    diff: bounds(diffs, sum / n),
    // +1 on both sides: a bootstrap never proves p = 0, only p below 1 / (resamples + 1).
    pValue: Math.min(1, (2 * (Math.min(atOrBelow, atOrAbove) + 1)) / (resamples + 1)),
  };
}
