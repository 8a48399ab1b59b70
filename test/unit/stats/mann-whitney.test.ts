import { describe, expect, it } from "vitest";
import { createRng, mannWhitneyU } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

/** Permutation test by enumeration: every way to split the pooled values into groups of |a| and |b|. */
function enumeratedPValue(a: number[], b: number[]): number {
  const pooled = [...a, ...b];
  const statisticOf = (group: number[], rest: number[]): number => {
    let u = 0;
    for (const x of group) for (const y of rest) u += x > y ? 1 : x === y ? 0.5 : 0;
    return u;
  };
  const observed = statisticOf(a, b);
  const center = (a.length * b.length) / 2;
  const observedDistance = Math.abs(observed - center);
  let extreme = 0;
  let total = 0;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === a.length) {
      const group = picked.map((index) => pooled[index] as number);
      const rest = pooled.filter((_, index) => !picked.includes(index));
      if (Math.abs(statisticOf(group, rest) - center) >= observedDistance - 1e-9) extreme++;
      total++;
      return;
    }
    for (let index = start; index < pooled.length; index++) choose(index + 1, [...picked, index]);
  };
  choose(0, []);
  return extreme / total;
}

describe("mannWhitneyU", () => {
  it("reproduces scipy's documentation example (males vs females): U = 17, exact p = 0.1111", () => {
    // scipy.stats.mannwhitneyu docs: MannwhitneyuResult(statistic=17.0, pvalue=0.1111111111111111)
    const result = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(result.u).toBe(17);
    expect(result.pValue).toBeCloseTo(0.1111111111111111, 14);
  });

  it("reproduces R's wilcox.test example: W = 35, one-sided p = 0.1272, so two-sided 0.2544", () => {
    // R ?wilcox.test: x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46),
    // y <- c(1.15, 0.88, 0.90, 0.74, 1.21); wilcox.test(x, y, alternative = "g") → W = 35, p-value = 0.1272.
    // scipy mannwhitneyu(x, y) → statistic 35.0, pvalue 0.2544122544122544.
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const result = mannWhitneyU(x, y);
    expect(result.u).toBe(35);
    expect(result.pValue).toBeCloseTo(0.2544122544122544, 14);
  });

  it("uses the exact distribution for a small sample against a large one (scipy: 3.7810731190679526e-14)", () => {
    // Eight values all below 191 others: p = 2 / C(199, 8).
    const small = Array.from({ length: 8 }, (_, index) => index + 1);
    const large = Array.from({ length: 191 }, (_, index) => index + 9);
    const result = mannWhitneyU(small, large);
    expect(result.u).toBe(0);
    expect(Math.abs(result.pValue - 3.7810731190679526e-14) / 3.7810731190679526e-14).toBeLessThan(1e-10);
  });

  it("exact p-values agree with brute-force enumeration of every split", () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 25; trial++) {
      const sizeA = 1 + rng.nextInt(6);
      const sizeB = 1 + rng.nextInt(6);
      const a = Array.from({ length: sizeA }, () => rng.next());
      const b = Array.from({ length: sizeB }, () => rng.next() + 0.3 * rng.next());
      expect(mannWhitneyU(a, b).pValue, `${sizeA} vs ${sizeB}`).toBeCloseTo(enumeratedPValue(a, b), 12);
    }
  });

  it("uses the normal approximation with tie and continuity corrections like scipy", () => {
    // scipy 1.17.1 mannwhitneyu (method "auto" falls back to asymptotic on ties or when both n > 8):
    const cases: Array<[number[], number[], number, number]> = [
      [[1, 2, 2, 3, 3, 3, 4, 5, 5, 6], [2, 3, 4, 4, 5, 6, 6, 7, 7, 8, 9], 23.5, 0.027640884214298913],
      [[1, 1, 2], [1, 2, 3, 3], 2.5, 0.26165109058823666],
      [[1.5, 2.5, 9, 10, 11, 12, 13, 14, 15, 16], [1, 2, 3, 4, 5, 6, 7, 8, 17, 18], 67, 0.21229383619233155],
    ];
    for (const [a, b, u, pValue] of cases) {
      const result = mannWhitneyU(a, b);
      expect(result.u).toBe(u);
      expect(result.pValue).toBeCloseTo(pValue, 13);
    }
  });

  it("handles edge cases: all ties, one value each, empty samples", () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5])).toEqual({ u: 3, pValue: 1 });
    expect(mannWhitneyU([3], [1, 2, 4])).toEqual({ u: 2, pValue: 1 });
    expect(mannWhitneyU([1], [2]).pValue).toBe(1);
    expect(mannWhitneyU([], [1, 2])).toEqual({ u: 0, pValue: 1 });
    expect(() => mannWhitneyU([1, Number.NaN], [2])).toThrow(AppError);
  });

  it("A/A: identical lognormal latencies give p < 0.05 in 3–7 % of 1,000 comparisons", () => {
    const rng = createRng(303);
    const latencies = (size: number): number[] => Array.from({ length: size }, () => Math.exp(6 + 0.6 * rng.nextNormal()));
    let rejections = 0;
    for (let simulation = 0; simulation < 1000; simulation++) {
      if (mannWhitneyU(latencies(40), latencies(40)).pValue < 0.05) rejections++;
    }
    expect(rejections / 1000).toBeGreaterThanOrEqual(0.03);
    expect(rejections / 1000).toBeLessThanOrEqual(0.07);
  });

  it("A/A with latencies rounded to whole milliseconds (many ties) also stays within 3–7 %", () => {
    const rng = createRng(404);
    const latencies = (size: number): number[] => Array.from({ length: size }, () => Math.round(Math.exp(3 + 0.5 * rng.nextNormal())));
    let rejections = 0;
    for (let simulation = 0; simulation < 1000; simulation++) {
      if (mannWhitneyU(latencies(60), latencies(60)).pValue < 0.05) rejections++;
    }
    expect(rejections / 1000).toBeGreaterThanOrEqual(0.03);
    expect(rejections / 1000).toBeLessThanOrEqual(0.07);
  });

  it("A/A on small exact samples (6 vs 6) stays at or below 7 %", () => {
    const rng = createRng(505);
    let rejections = 0;
    for (let simulation = 0; simulation < 1000; simulation++) {
      const a = Array.from({ length: 6 }, () => rng.nextNormal());
      const b = Array.from({ length: 6 }, () => rng.nextNormal());
      if (mannWhitneyU(a, b).pValue < 0.05) rejections++;
    }
    expect(rejections / 1000).toBeLessThanOrEqual(0.07);
    expect(rejections / 1000).toBeGreaterThan(0.01);
  });

  it("detects a 30 % slowdown with 50 calls per variant", () => {
    const rng = createRng(606);
    let rejections = 0;
    for (let simulation = 0; simulation < 300; simulation++) {
      const a = Array.from({ length: 50 }, () => Math.exp(6 + 0.5 * rng.nextNormal()));
      const b = Array.from({ length: 50 }, () => 1.3 * Math.exp(6 + 0.5 * rng.nextNormal()));
      if (mannWhitneyU(a, b).pValue < 0.05) rejections++;
    }
    expect(rejections / 300).toBeGreaterThan(0.7);
  });
});
