import { AppError } from "../errors.ts";
import { checkCount, checkProbability } from "./validate.ts";

// Normal distribution ------------------------------------------------------------------------------------------

const SQRT_32 = 5.656854249492380195206754896838;
const ONE_OVER_SQRT_2PI = 0.398942280401432677939946059934;

// W. J. Cody, "Rational Chebyshev approximation for the error function" (1969), as used by R's pnorm:
// relative accuracy near machine precision over the whole line, including both tails.
const CODY_A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const CODY_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
  6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const CODY_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
  34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];
const CODY_P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const CODY_Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

function coefficient(table: readonly number[], index: number): number {
  return table[index] as number;
}

/** Φ(x), the standard normal cumulative distribution function. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= 0.67448975) {
    let numerator = 0;
    let denominator = 0;
    if (y > 1.1102230246251565e-16) {
      const square = x * x;
      numerator = coefficient(CODY_A, 4) * square;
      denominator = square;
      for (let i = 0; i < 3; i++) {
        numerator = (numerator + coefficient(CODY_A, i)) * square;
        denominator = (denominator + coefficient(CODY_B, i)) * square;
      }
    }
    return 0.5 + (x * (numerator + coefficient(CODY_A, 3))) / (denominator + coefficient(CODY_B, 3));
  }
  let tail: number;
  if (y <= SQRT_32) {
    let numerator = coefficient(CODY_C, 8) * y;
    let denominator = y;
    for (let i = 0; i < 7; i++) {
      numerator = (numerator + coefficient(CODY_C, i)) * y;
      denominator = (denominator + coefficient(CODY_D, i)) * y;
    }
    tail = (numerator + coefficient(CODY_C, 7)) / (denominator + coefficient(CODY_D, 7));
  } else if (y < 38.5) {
    const inverseSquare = 1 / (x * x);
    let numerator = coefficient(CODY_P, 5) * inverseSquare;
    let denominator = inverseSquare;
    for (let i = 0; i < 4; i++) {
      numerator = (numerator + coefficient(CODY_P, i)) * inverseSquare;
      denominator = (denominator + coefficient(CODY_Q, i)) * inverseSquare;
    }
    tail = (inverseSquare * (numerator + coefficient(CODY_P, 4))) / (denominator + coefficient(CODY_Q, 4));
    tail = (ONE_OVER_SQRT_2PI - tail) / y;
  } else {
    return x > 0 ? 1 : 0;
  }
  // Splitting x² into a 1/16-rounded part and a remainder keeps exp(−x²/2) accurate for large |x|.
  const rounded = Math.trunc(y * 16) / 16;
  const remainder = (y - rounded) * (y + rounded);
  const lower = Math.exp(-rounded * rounded * 0.5) * Math.exp(-remainder * 0.5) * tail;
  return x > 0 ? 1 - lower : lower;
}

// P. J. Acklam's rational approximation (relative error 1.15e-9), refined below by one Halley step.
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function polynomial(table: readonly number[], x: number): number {
  let result = 0;
  for (const value of table) result = result * x + value;
  return result;
}

function acklamLowerHalf(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return polynomial(ACKLAM_C, q) / (polynomial(ACKLAM_D, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(ACKLAM_A, r) * q) / (polynomial(ACKLAM_B, r) * r + 1);
}

/** Φ⁻¹(p), the standard normal quantile; −∞ at 0 and +∞ at 1. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  // Work in the lower half so the refinement compares small probabilities without cancellation.
  const upper = p > 0.5;
  const lowerP = upper ? 1 - p : p;
  let x = acklamLowerHalf(lowerP);
  const error = normalCdf(x) - lowerP;
  const step = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  x -= step / (1 + (x * step) / 2);
  return upper ? -x : x;
}

// Binomial distribution ----------------------------------------------------------------------------------------
// C. Loader, "Fast and accurate computation of binomial probabilities" (2000), the algorithm behind R's dbinom:
// accurate in the far tails and for n in the millions, where log-gamma differences lose digits.

// stirlerr(n) = log(n!) − (n + ½) log n + n − log √(2π), exact values for n = 1 … 15 (computed to 40 digits).
const STIRLING_ERROR_SMALL = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193,
  0.013876128823070748, 0.01189670994589177, 0.010411265261972096, 0.009255462182712733, 0.00833056343336287,
  0.007573675487951841, 0.00694284010720953, 0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
];

function stirlingError(n: number): number {
  if (n <= 15) return STIRLING_ERROR_SMALL[n] as number;
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  const square = n * n;
  if (n > 500) return (s0 - s1 / square) / n;
  if (n > 80) return (s0 - (s1 - s2 / square) / square) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / square) / square) / square) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / square) / square) / square) / square) / n;
}

/** x log(x / m) + m − x, computed without cancellation when x ≈ m. */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let sum = (x - m) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / m) + m - x;
}

function binomialPmfUnchecked(k: number, n: number, p: number): number {
  const q = 1 - p;
  if (p === 0) return k === 0 ? 1 : 0;
  if (q === 0) return k === n ? 1 : 0;
  if (k === 0) return n === 0 ? 1 : Math.exp(p < 0.1 ? -deviance(n, n * q) - n * p : n * Math.log(q));
  if (k === n) return Math.exp(q < 0.1 ? -deviance(n, n * p) - n * q : n * Math.log(p));
  const logDensity =
    stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, n * p) - deviance(n - k, n * q);
  return Math.exp(logDensity) * Math.sqrt(n / (2 * Math.PI * k * (n - k)));
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  checkCount(n, "trials");
  checkProbability(p, "probability");
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  return binomialPmfUnchecked(k, n, p);
}

/** Σ P(X = i) for i from `from` to `to` (inclusive), walking from `from` towards `to`; `from` must be the end
 *  nearer the mode so every term is smaller than the last and the sum can stop once they no longer matter. */
function binomialRangeSum(from: number, to: number, n: number, p: number): number {
  const direction = to >= from ? 1 : -1;
  let term = binomialPmfUnchecked(from, n, p);
  let sum = term;
  const q = 1 - p;
  for (let i = from; i !== to; i += direction) {
    // P(i+1)/P(i) = (n−i)/(i+1) · p/q ; P(i−1)/P(i) = i/(n−i+1) · q/p
    term *= direction === 1 ? ((n - i) / (i + 1)) * (p / q) : (i / (n - i + 1)) * (q / p);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** P(X ≤ k), summing the smaller tail directly so tiny probabilities keep their digits. */
function lowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (k < n * p) return Math.min(1, binomialRangeSum(k, 0, n, p));
  return Math.max(0, 1 - binomialRangeSum(k + 1, n, n, p));
}

/** P(X ≥ k). */
function upperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (k > n * p) return Math.min(1, binomialRangeSum(k, n, n, p));
  return Math.max(0, 1 - binomialRangeSum(k - 1, 0, n, p));
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  checkCount(n, "trials");
  checkProbability(p, "probability");
  if (Number.isNaN(k)) return Number.NaN;
  if (p === 0) return k >= 0 ? 1 : 0;
  if (p === 1) return k >= n ? 1 : 0;
  return lowerTail(Math.floor(k), n, p);
}

/**
 * Two-sided exact binomial test p-value, as R's `binom.test` and scipy's `binomtest`: the probability of every
 * outcome no more likely than the observed one (with R's 1e-7 relative tolerance for ties in likelihood).
 */
export function binomialTestPValue(successes: number, trials: number, probability = 0.5): number {
  checkCount(successes, "successes");
  checkCount(trials, "trials");
  checkProbability(probability, "probability");
  if (successes > trials) {
    throw new AppError("bad_request", "statistics", "successes cannot exceed trials", [
      { path: "successes", message: `${successes} successes in ${trials} trials` },
    ]);
  }
  const n = trials;
  const k = successes;
  if (n === 0) return 1;
  if (probability === 0) return k === 0 ? 1 : 0;
  if (probability === 1) return k === n ? 1 : 0;
  const expected = n * probability;
  if (k === expected) return 1;
  // The symmetric null (McNemar, sign test) needs no search: the other tail mirrors this one.
  if (probability === 0.5) return Math.min(1, 2 * lowerTail(Math.min(k, n - k), n, 0.5));
  const threshold = binomialPmfUnchecked(k, n, probability) * (1 + 1e-7);
  const atMostAsLikely = (i: number): boolean => binomialPmfUnchecked(i, n, probability) <= threshold;
  if (k < expected) {
    // Densities fall monotonically from ceil(np) (≥ the mode) to n: find the first index as unlikely as k.
    let low = Math.ceil(expected);
    let high = n;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (atMostAsLikely(middle)) high = middle;
      else low = middle + 1;
    }
    const upper = atMostAsLikely(low) ? upperTail(low, n, probability) : 0;
    return Math.min(1, lowerTail(k, n, probability) + upper);
  }
  // Densities rise monotonically from 0 to floor(np) (≤ the mode): find the last index as unlikely as k.
  let low = 0;
  let high = Math.floor(expected);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (atMostAsLikely(middle)) low = middle;
    else high = middle - 1;
  }
  const lower = atMostAsLikely(low) ? lowerTail(low, n, probability) : 0;
  return Math.min(1, lower + upperTail(k, n, probability));
}
