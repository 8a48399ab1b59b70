import { normalCdf, normalQuantile, wilsonInterval } from "../stats/index.ts";
import type { Interval } from "./types.ts";

// Closed-form intervals for the figures that need no resampling.

/**
 * Newcombe's square-and-add interval for the difference of two paired proportions (method 10 of Newcombe 1998,
 * Statistics in Medicine 17:2635, with its continuity-corrected φ), built from the Wilson interval of each side.
 * Counts over cases both variants ran: first = the proportion passing with the first variant.
 * Returns first − second; as Fagerland, Lydersen & Laake's `Newcombe_square_and_add_CI_paired_2x2`.
 */
export function newcombePairedInterval(
  counts: { bothPass: number; onlyFirst: number; onlySecond: number; bothFail: number },
  confidence = 0.95,
): Interval {
  const { bothPass, onlyFirst, onlySecond, bothFail } = counts;
  const n = bothPass + onlyFirst + onlySecond + bothFail;
  if (n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const firstPassing = bothPass + onlyFirst;
  const secondPassing = bothPass + onlySecond;
  const p1 = firstPassing / n;
  const p2 = secondPassing / n;
  const estimate = p1 - p2;
  const w1 = wilsonInterval(firstPassing, n, confidence);
  const w2 = wilsonInterval(secondPassing, n, confidence);
  let phi = 0;
  const firstFailing = n - firstPassing;
  const secondFailing = n - secondPassing;
  if (firstPassing > 0 && firstFailing > 0 && secondPassing > 0 && secondFailing > 0) {
    const product = firstPassing * firstFailing * secondPassing * secondFailing;
    const cross = bothPass * bothFail - onlyFirst * onlySecond;
    if (cross > n / 2) phi = (cross - n / 2) / Math.sqrt(product);
    else if (cross < 0) phi = cross / Math.sqrt(product);
  }
  const lowerFirst = p1 - w1.low;
  const upperFirst = w1.high - p1;
  const lowerSecond = p2 - w2.low;
  const upperSecond = w2.high - p2;
  const low = estimate - Math.sqrt(Math.max(0, lowerFirst ** 2 + upperSecond ** 2 - 2 * phi * lowerFirst * upperSecond));
  const high = estimate + Math.sqrt(Math.max(0, lowerSecond ** 2 + upperFirst ** 2 - 2 * phi * lowerSecond * upperFirst));
  return { estimate, low: Math.max(-1, low), high: Math.min(1, high) };
}

function zFor(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * Mean with a normal-approximation interval (mean ± z·s/√n). Used for cost and tokens per call: sums of many
 * small, nearly deterministic amounts, where the approximation is accurate and a bootstrap would only add time.
 */
export function meanInterval(values: ArrayLike<number>, confidence = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  if (n < 2) return { estimate: mean, low: Number.NaN, high: Number.NaN };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((values[i] as number) - mean) ** 2;
  const halfWidth = zFor(confidence) * Math.sqrt(squares / (n - 1) / n);
  return { estimate: mean, low: mean - halfWidth, high: mean + halfWidth };
}

/** Paired mean difference mean(b − a) with a normal-approximation interval and two-sided z-test p-value. */
export function pairedMeanDifference(a: ArrayLike<number>, b: ArrayLike<number>, confidence = 0.95): Interval & { pValue: number } {
  const differences = Float64Array.from({ length: a.length }, (_, index) => (b[index] as number) - (a[index] as number));
  const interval = meanInterval(differences, confidence);
  if (differences.length < 2) return { ...interval, pValue: Number.NaN };
  const halfWidth = interval.high - interval.estimate;
  const standardError = halfWidth / zFor(confidence);
  if (standardError === 0) return { ...interval, pValue: interval.estimate === 0 ? 1 : 0 };
  return { ...interval, pValue: Math.min(1, 2 * normalCdf(-Math.abs(interval.estimate / standardError))) };
}
