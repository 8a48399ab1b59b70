import { describe, expect, it } from "vitest";
import {
  createRng,
  normalQuantile,
  pairedBootstrapMeanDiff,
  percentileDifferenceInterval,
  percentileInterval,
  quantile,
  quantileOfSorted,
  sortedCopy,
} from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

function lognormal(size: number, seed: number, location = 0): number[] {
  const rng = createRng(seed);
  return Array.from({ length: size }, () => Math.exp(location + 0.7 * rng.nextNormal()));
}

/** Textbook percentile bootstrap that materialises and sorts every resample, drawing the same index stream. */
function naivePercentileBootstrap(values: number[], p: number, resamples: number, seed: number, confidence: number) {
  const rng = createRng(seed);
  const sorted = sortedCopy(values);
  const indices = new Int32Array(values.length);
  const statistics: number[] = [];
  for (let r = 0; r < resamples; r++) {
    rng.fillInts(indices, values.length);
    statistics.push(quantile(Array.from(indices, (index) => sorted[index] as number), p));
  }
  const alpha = 1 - confidence;
  const ordered = sortedCopy(statistics);
  return { low: quantileOfSorted(ordered, alpha / 2), high: quantileOfSorted(ordered, 1 - alpha / 2) };
}

describe("pairedBootstrapMeanDiff", () => {
  it("reports mean(b − a) and the same interval as resampling case by case with the same generator", () => {
    const a = lognormal(300, 1);
    const b = a.map((value, index) => value + 0.1 + 0.3 * Math.sin(index));
    const result = pairedBootstrapMeanDiff(a, b, { resamples: 2000, seed: 9 });
    const differences = a.map((value, index) => (b[index] as number) - value);
    expect(result.diff).toBeCloseTo(differences.reduce((sum, value) => sum + value, 0) / differences.length, 12);
    const rng = createRng(9);
    const means: number[] = [];
    for (let r = 0; r < 2000; r++) {
      let sum = 0;
      for (let i = 0; i < 300; i++) sum += differences[rng.nextInt(300)] as number;
      means.push(sum / 300);
    }
    expect(result.low).toBeCloseTo(quantile(means, 0.025), 12);
    expect(result.high).toBeCloseTo(quantile(means, 0.975), 12);
  });

  it("is reproducible for a seed and moves with another seed", () => {
    const a = lognormal(200, 2);
    const b = lognormal(200, 3);
    expect(pairedBootstrapMeanDiff(a, b, { seed: 5 })).toEqual(pairedBootstrapMeanDiff(a, b, { seed: 5 }));
    expect(pairedBootstrapMeanDiff(a, b)).toEqual(pairedBootstrapMeanDiff(a, b));
    expect(pairedBootstrapMeanDiff(a, b, { seed: 6 }).low).not.toBe(pairedBootstrapMeanDiff(a, b, { seed: 5 }).low);
  });

  it("agrees with the normal-theory interval mean ± z·sd/√n on a large sample", () => {
    const rng = createRng(4);
    const a = Array.from({ length: 4000 }, () => rng.nextNormal());
    const b = a.map((value) => value + 0.05 + rng.nextNormal());
    const differences = a.map((value, index) => (b[index] as number) - value);
    const average = differences.reduce((sum, value) => sum + value, 0) / differences.length;
    const variance = differences.reduce((sum, value) => sum + (value - average) ** 2, 0) / (differences.length - 1);
    const halfWidth = normalQuantile(0.975) * Math.sqrt(variance / differences.length);
    const result = pairedBootstrapMeanDiff(a, b);
    expect(Math.abs(result.low - (average - halfWidth))).toBeLessThan(0.1 * halfWidth);
    expect(Math.abs(result.high - (average + halfWidth))).toBeLessThan(0.1 * halfWidth);
  });

  it("A/A: the 95 % interval excludes 0 in about 5 % of identical-variant comparisons", () => {
    const rng = createRng(12);
    let excluded = 0;
    for (let simulation = 0; simulation < 300; simulation++) {
      const difficulty = Array.from({ length: 100 }, () => rng.next());
      const a = difficulty.map((value) => value + 0.2 * rng.nextNormal());
      const b = difficulty.map((value) => value + 0.2 * rng.nextNormal());
      const { low, high } = pairedBootstrapMeanDiff(a, b, { resamples: 1000, seed: simulation });
      if (low > 0 || high < 0) excluded++;
    }
    // Percentile intervals run a little narrow at n = 100; 300 runs put the band at roughly ±2.5 points.
    expect(excluded / 300).toBeGreaterThanOrEqual(0.02);
    expect(excluded / 300).toBeLessThanOrEqual(0.1);
  });

  it("handles one case, identical variants and empty input; refuses unequal lengths", () => {
    expect(pairedBootstrapMeanDiff([1], [3])).toEqual({ diff: 2, low: 2, high: 2 });
    expect(pairedBootstrapMeanDiff([1, 2, 3], [1, 2, 3])).toEqual({ diff: 0, low: 0, high: 0 });
    const empty = pairedBootstrapMeanDiff([], []);
    expect([empty.diff, empty.low, empty.high].every(Number.isNaN)).toBe(true);
    expect(() => pairedBootstrapMeanDiff([1, 2], [1])).toThrow(AppError);
    expect(() => pairedBootstrapMeanDiff([1], [2], { resamples: 0 })).toThrow(AppError);
    expect(() => pairedBootstrapMeanDiff([1], [2], { confidence: 1 })).toThrow(AppError);
  });
});

describe("percentileInterval", () => {
  it("gives exactly the interval of sorting every resample (counting multiplicities instead)", () => {
    const values = lognormal(257, 31).map((value) => Math.round(value * 20)); // rounded: ties included
    for (const p of [0, 0.1, 0.5, 0.9, 0.95, 0.99, 1]) {
      const fast = percentileInterval(values, p, { resamples: 400, seed: 77, confidence: 0.9 });
      const naive = naivePercentileBootstrap(values, p, 400, 77, 0.9);
      expect(fast.estimate, `p = ${p}`).toBe(quantile(values, p));
      expect(fast.low, `p = ${p}`).toBeCloseTo(naive.low, 12);
      expect(fast.high, `p = ${p}`).toBeCloseTo(naive.high, 12);
    }
  });

  it("brackets the estimate and widens for extreme percentiles of skewed latencies", () => {
    const values = lognormal(1000, 32, 6);
    const p50 = percentileInterval(values, 0.5);
    const p99 = percentileInterval(values, 0.99);
    expect(p50.low).toBeLessThanOrEqual(p50.estimate);
    expect(p50.high).toBeGreaterThanOrEqual(p50.estimate);
    expect(p99.high - p99.low).toBeGreaterThan(3 * (p50.high - p50.low));
  });

  it("covers the true median of a lognormal about 95 % of the time", () => {
    let covered = 0;
    for (let simulation = 0; simulation < 200; simulation++) {
      const values = lognormal(200, 1000 + simulation);
      const { low, high } = percentileInterval(values, 0.5, { resamples: 1000, seed: simulation });
      if (low <= 1 && high >= 1) covered++; // median of exp(N(0, σ²)) is 1
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.9);
    expect(covered / 200).toBeLessThanOrEqual(0.99);
  });

  it("handles one value, all ties and empty input", () => {
    expect(percentileInterval([42], 0.95)).toEqual({ estimate: 42, low: 42, high: 42 });
    expect(percentileInterval([3, 3, 3], 0.5)).toEqual({ estimate: 3, low: 3, high: 3 });
    const empty = percentileInterval([], 0.5);
    expect([empty.estimate, empty.low, empty.high].every(Number.isNaN)).toBe(true);
    expect(() => percentileInterval([1], 95)).toThrow(AppError);
  });
});

describe("percentileDifferenceInterval", () => {
  it("estimates quantile(b) − quantile(a) and excludes 0 for a clear slowdown, includes it for A/A", () => {
    const a = lognormal(800, 41, 6);
    const slower = lognormal(800, 42, 6.4);
    const same = lognormal(800, 43, 6);
    const shifted = percentileDifferenceInterval(a, slower, 0.95);
    expect(shifted.diff).toBeCloseTo(quantile(slower, 0.95) - quantile(a, 0.95), 9);
    expect(shifted.low).toBeGreaterThan(0);
    const aa = percentileDifferenceInterval(a, same, 0.95);
    expect(aa.low).toBeLessThan(0);
    expect(aa.high).toBeGreaterThan(0);
    const empty = percentileDifferenceInterval([], [1], 0.5);
    expect(empty.diff).toBeNaN();
  });
});
