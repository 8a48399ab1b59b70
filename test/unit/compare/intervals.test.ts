import { describe, expect, it } from "vitest";
import { meanInterval, newcombePairedInterval, pairedMeanDifference } from "@/lib/compare/intervals.ts";
import { createRng } from "@/lib/stats/index.ts";

describe("newcombePairedInterval", () => {
  it("reproduces Fagerland, Lydersen & Laake's Cavo et al. (2012) example: −0.0621 (−0.1186 to −0.0046)", () => {
    // contingencytables::Newcombe_square_and_add_CI_paired_2x2(matrix(c(59, 6, 16, 80), 2, byrow = TRUE))
    const interval = newcombePairedInterval({ bothPass: 59, onlyFirst: 6, onlySecond: 16, bothFail: 80 });
    expect(interval.estimate).toBeCloseTo(-0.0621, 4);
    expect(interval.low).toBeCloseTo(-0.1186, 4);
    expect(interval.high).toBeCloseTo(-0.0046, 4);
  });

  it("is antisymmetric: swapping the variants mirrors the interval", () => {
    const forward = newcombePairedInterval({ bothPass: 40, onlyFirst: 12, onlySecond: 5, bothFail: 43 });
    const backward = newcombePairedInterval({ bothPass: 40, onlyFirst: 5, onlySecond: 12, bothFail: 43 });
    expect(backward.estimate).toBeCloseTo(-forward.estimate, 12);
    expect(backward.low).toBeCloseTo(-forward.high, 12);
    expect(backward.high).toBeCloseTo(-forward.low, 12);
  });

  it("covers the true difference about 95 % of the time for correlated pass/fail", () => {
    const rng = createRng(41);
    let covered = 0;
    const trials = 2000;
    for (let trial = 0; trial < trials; trial++) {
      const counts = { bothPass: 0, onlyFirst: 0, onlySecond: 0, bothFail: 0 };
      for (let index = 0; index < 150; index++) {
        // P(A passes) = 0.7, P(B passes) = 0.75, strongly correlated through a shared case difficulty.
        const u = rng.next();
        const first = u < 0.75;
        const second = u < 0.7 || rng.next() < 0.02;
        if (first && second) counts.bothPass++;
        else if (first) counts.onlyFirst++;
        else if (second) counts.onlySecond++;
        else counts.bothFail++;
      }
      const truth = 0.75 - (0.7 + 0.3 * 0.02);
      const { low, high } = newcombePairedInterval(counts);
      if (low <= truth && truth <= high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.985);
  });

  it("stays within [−1, 1] and is NaN without cases", () => {
    const all = newcombePairedInterval({ bothPass: 0, onlyFirst: 10, onlySecond: 0, bothFail: 0 });
    expect(all.estimate).toBe(1);
    expect(all.high).toBeLessThanOrEqual(1);
    expect(all.low).toBeGreaterThan(0.5);
    expect(newcombePairedInterval({ bothPass: 0, onlyFirst: 0, onlySecond: 0, bothFail: 0 }).estimate).toBeNaN();
  });
});

describe("meanInterval and pairedMeanDifference", () => {
  it("give mean ± 1.96·s/√n and a z-test p-value", () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    const interval = meanInterval(values);
    const standardError = Math.sqrt(32 / 7 / 8);
    expect(interval.estimate).toBe(5);
    expect(interval.high - 5).toBeCloseTo(1.959963984540054 * standardError, 12);
    const difference = pairedMeanDifference([1, 2, 3, 4], [2, 3, 4, 5]);
    expect(difference).toMatchObject({ estimate: 1, low: 1, high: 1, pValue: 0 });
    expect(pairedMeanDifference([1, 2], [1, 2]).pValue).toBe(1);
    // differences 1, −1, 2, 0: mean 0.5, sd 1.29, z = 0.775 → p = 0.438
    expect(pairedMeanDifference([0, 0, 0, 0], [1, -1, 2, 0]).pValue).toBeCloseTo(0.4385, 3);
  });
});
