import { AppError } from "../errors.ts";

// Chi-square distribution: the survival function through the regularized upper incomplete gamma function
// Q(k/2, x/2) (series below a + 1, Lentz's continued fraction above, as Numerical Recipes §6.2), and Pearson's
// goodness-of-fit test. Accurate to ~1e-14 relative, which is far more than a p < 0.001 decision needs.

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = 0.99999999999980993;
  for (let i = 0; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i + 1);
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0)) throw new AppError("bad_request", "statistics", "the gamma shape must be positive", [{ path: "a", message: `got ${String(a)}` }]);
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // P(a, x) by its series; Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** P(X ≥ x) for X ~ χ²(df): the p-value of a chi-square statistic. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new AppError("bad_request", "statistics", "degrees of freedom must be positive", [{ path: "df", message: `got ${String(df)}` }]);
  return regularizedGammaQ(df / 2, x / 2);
}

/**
 * Pearson's chi-square goodness of fit of observed counts against expected shares (normalized here), df = k − 1
 * (R `chisq.test(observed, p = shares)`). Cells whose expected share is 0 must be left out by the caller.
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], shares: readonly number[]): { chiSquare: number; df: number; pValue: number } {
  if (observed.length !== shares.length || observed.length < 2) {
    throw new AppError("bad_request", "statistics", "observed and shares need the same length, at least 2", [
      { path: "shares", message: `${observed.length} observed, ${shares.length} shares` },
    ]);
  }
  const total = observed.reduce((sum, value) => sum + value, 0);
  const shareTotal = shares.reduce((sum, value) => sum + value, 0);
  let chiSquare = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (total * (shares[i] as number)) / shareTotal;
    if (!(expected > 0)) {
      throw new AppError("bad_request", "statistics", "every expected count must be positive", [{ path: `shares[${i}]`, message: `got ${String(shares[i])}` }]);
    }
    chiSquare += ((observed[i] as number) - expected) ** 2 / expected;
  }
  const df = observed.length - 1;
  return { chiSquare, df, pValue: chiSquareSurvival(chiSquare, df) };
}
