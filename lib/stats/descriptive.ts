import { checkProbability, checkSample } from "./validate.ts";

/** Arithmetic mean; NaN for an empty sample (there is no mean to report). */
export function mean(values: readonly number[]): number {
  checkSample(values, "values");
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Ascending copy as a Float64Array, whose numeric sort is several times faster than Array.prototype.sort. */
export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Quantile of already-sorted values by linear interpolation (R type 7, numpy's default "linear"). */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * p;
  const below = Math.floor(position);
  const fraction = position - below;
  const low = sorted[below] as number;
  if (fraction === 0 || below + 1 >= n) return low;
  const high = sorted[below + 1] as number;
  return low + fraction * (high - low);
}

/** Quantile p ∈ [0, 1] (0.95 for p95) by linear interpolation, as R type 7 and numpy's default; NaN when empty. */
export function quantile(values: readonly number[], p: number): number {
  checkSample(values, "values");
  checkProbability(p, "p");
  return quantileOfSorted(sortedCopy(values), p);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * Empirical cumulative distribution: the distinct values `x` in ascending order and, for each, the share of the
 * sample at or below it (`y`), ready to draw as a step function.
 */
export function ecdf(values: readonly number[]): { x: number[]; y: number[] } {
  checkSample(values, "values");
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const x: number[] = [];
  const y: number[] = [];
  for (let index = 0; index < n; index++) {
    const value = sorted[index] as number;
    // Only the last of a run of equal values marks a step.
    if (index + 1 < n && sorted[index + 1] === value) continue;
    x.push(value);
    y.push((index + 1) / n);
  }
  return { x, y };
}
