import { describe, expect, it } from "vitest";
import { binomialCdf, binomialPmf, binomialTestPValue, normalCdf, normalQuantile } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

// Reference values: scipy 1.17.1 (special.ndtr, special.ndtri, stats.binom, stats.binomtest), which follow the
// same algorithms as R's pnorm/qnorm/pbinom/binom.test; printed with repr() and pasted here.
const NORMAL_CDF: Array<[number, number]> = [
  [-37.5, 4.605353009581954e-308],
  [-30, 4.906713927147908e-198],
  [-20, 2.7536241186061556e-89],
  [-10, 7.61985302416047e-24],
  [-8, 6.22096057427174e-16],
  [-6, 9.865876450376946e-10],
  [-5.7, 5.99037140106353e-9],
  [-4, 3.167124183311986e-5],
  [-3, 0.0013498980316300933],
  [-1.5, 0.06680720126885807],
  [-0.67, 0.25142889509531013],
  [-0.1, 0.460172162722971],
  [0, 0.5],
  [0.3, 0.6179114221889526],
  [1, 0.8413447460685429],
  [1.96, 0.9750021048517795],
  [5, 0.9999997133484281],
];

const NORMAL_QUANTILE: Array<[number, number]> = [
  [1e-300, -37.0470962993612],
  [1e-20, -9.262340089798409],
  [1e-10, -6.361340902404056],
  [0.001, -3.090232306167813],
  [0.02, -2.053748910631823],
  [0.025, -1.9599639845400545],
  [0.1, -1.2815515655446004],
  [0.3, -0.5244005127080409],
  [0.5, 0],
  [0.9, 1.2815515655446004],
  [0.975, 1.959963984540054],
  [0.999, 3.090232306167813],
];

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

describe("normal distribution", () => {
  it("matches scipy's ndtr to 1e-13 relative error, deep into both tails", () => {
    for (const [x, expected] of NORMAL_CDF) expect(relativeError(normalCdf(x), expected), `Φ(${x})`).toBeLessThan(1e-13);
  });

  it("is symmetric: Φ(−x) = 1 − Φ(x)", () => {
    for (const x of [0.2, 0.7, 1.3, 2.5, 4]) expect(normalCdf(-x)).toBeCloseTo(1 - normalCdf(x), 15);
  });

  it("quantile matches scipy's ndtri to 1e-13 and inverts the CDF", () => {
    for (const [p, expected] of NORMAL_QUANTILE) {
      expect(Math.abs(normalQuantile(p) - expected), `Φ⁻¹(${p})`).toBeLessThan(1e-13 * Math.max(1, Math.abs(expected)));
    }
    for (const p of [1e-8, 0.01, 0.2, 0.5, 0.77, 0.95, 0.9999]) {
      expect(relativeError(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-13);
    }
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});

/** Exact binomial coefficient, for checks that do not share any floating-point code with the library. */
function choose(n: number, k: number): bigint {
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

/** Two-sided exact p at ½ by enumeration: Σ C(n, i) over outcomes no likelier than k, divided by 2^n. */
function bruteForceHalfPValue(k: number, n: number): number {
  const observed = choose(n, k);
  let total = 0n;
  for (let i = 0; i <= n; i++) if (choose(n, i) <= observed) total += choose(n, i);
  const scale = 10n ** 30n;
  return Number((total * scale) / 2n ** BigInt(n)) / 1e30;
}

describe("binomial distribution", () => {
  it("matches scipy's binom.pmf and binom.cdf", () => {
    expect(relativeError(binomialPmf(3, 10, 0.3), 0.2668279319999998)).toBeLessThan(1e-13);
    expect(relativeError(binomialPmf(0, 1000, 0.001), 0.3676954247709639)).toBeLessThan(1e-13);
    expect(relativeError(binomialPmf(5000, 10000, 0.5), 0.007978646139382158)).toBeLessThan(1e-13);
    expect(relativeError(binomialCdf(3, 10, 0.3), 0.6496107184000002)).toBeLessThan(1e-13);
    expect(relativeError(binomialCdf(30, 100, 0.5), 3.925069822796835e-5)).toBeLessThan(1e-12);
    expect(relativeError(binomialCdf(400, 1000, 0.45), 0.0007933693696643445)).toBeLessThan(1e-12);
    expect(binomialCdf(900, 1000, 0.45)).toBe(1);
    expect(binomialCdf(-1, 10, 0.3)).toBe(0);
    expect(binomialCdf(10, 10, 0.3)).toBe(1);
  });

  it("pmf sums to 1 and cdf is the running sum of the pmf", () => {
    let running = 0;
    for (let k = 0; k <= 40; k++) {
      running += binomialPmf(k, 40, 0.37);
      expect(binomialCdf(k, 40, 0.37)).toBeCloseTo(running, 13);
    }
    expect(running).toBeCloseTo(1, 13);
  });

  it("reproduces R's binom.test documentation example (Mendel's peas: 682 of 925 at p = 3/4 → p = 0.3825)", () => {
    // R: binom.test(c(682, 243), p = 3/4) prints p-value = 0.3825; scipy binomtest gives 0.3824915595748517.
    expect(binomialTestPValue(682, 925, 0.75)).toBeCloseTo(0.3824915595748517, 12);
  });

  it("matches scipy's binomtest for asymmetric nulls on both sides of the mean", () => {
    const cases: Array<[number, number, number, number]> = [
      [1, 10, 0.3, 0.2995766784999998],
      [7, 10, 0.3, 0.010592078399999996],
      [2, 50, 0.2, 0.0022178514426644345],
      [20, 50, 0.2, 0.001125114927936431],
      [0, 20, 0.1, 0.25452997802490435],
      [3, 10, 0.3, 1],
      [1, 3, 1 / 3, 1],
    ];
    for (const [k, n, p, expected] of cases) {
      expect(relativeError(binomialTestPValue(k, n, p), expected), `binom.test(${k}, ${n}, ${p})`).toBeLessThan(1e-12);
    }
  });

  it("agrees with exact enumeration in integers at p = ½", () => {
    for (const [k, n] of [[0, 1], [0, 5], [2, 12], [6, 12], [7, 12], [13, 40], [86, 236], [150, 236], [480, 1000]] as const) {
      expect(relativeError(binomialTestPValue(k, n), bruteForceHalfPValue(k, n)), `${k} of ${n}`).toBeLessThan(1e-11);
    }
  });

  it("rejects impossible counts with a clear error", () => {
    expect(() => binomialTestPValue(5, 3)).toThrow(AppError);
    expect(() => binomialTestPValue(-1, 3)).toThrow(/non-negative integer/);
    expect(() => binomialTestPValue(1.5, 3)).toThrow(AppError);
    expect(() => binomialTestPValue(1, 3, 1.2)).toThrow(/\[0, 1\]/);
  });
});
