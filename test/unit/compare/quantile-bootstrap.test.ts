import { describe, expect, it } from "vitest";
import { gammaDraw, quantileReplicates } from "@/lib/compare/quantile-bootstrap.ts";
import { createRng, percentileInterval, quantileOfSorted, sortedCopy } from "@/lib/stats/index.ts";

/** Two-sample Kolmogorov–Smirnov distance between two sets of replicates. */
function ksDistance(left: Float64Array, right: Float64Array): number {
  const a = Float64Array.from(left).sort();
  const b = Float64Array.from(right).sort();
  let i = 0;
  let j = 0;
  let distance = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < a.length && (a[i] as number) <= x) i++;
    while (j < b.length && (b[j] as number) <= x) j++;
    distance = Math.max(distance, Math.abs(i / a.length - j / b.length));
  }
  return distance;
}

describe("quantileReplicates", () => {
  it("draws each percentile with the same distribution as resampling and sorting (KS test)", () => {
    const rng = createRng(61);
    const n = 30;
    const sorted = sortedCopy(Array.from({ length: n }, () => Math.exp(rng.nextNormal())));
    const ps = [0.5, 0.9, 0.95, 0.99];
    const resamples = 60_000;
    const fast = quantileReplicates(sorted, ps, resamples, createRng(62));
    const brute = ps.map(() => new Float64Array(resamples));
    const sample = new Float64Array(n);
    const draw = createRng(63);
    for (let r = 0; r < resamples; r++) {
      for (let i = 0; i < n; i++) sample[i] = sorted[draw.nextInt(n)] as number;
      sample.sort();
      ps.forEach((p, index) => {
        (brute[index] as Float64Array)[r] = quantileOfSorted(sample, p);
      });
    }
    // Critical KS distance at α = 0.001 for two samples of 60,000: 1.95 · √(2 / 60,000) ≈ 0.011.
    ps.forEach((p, index) => expect(ksDistance(fast[index] as Float64Array, brute[index] as Float64Array), `p = ${p}`).toBeLessThan(0.011));
  });

  it("gives the intervals lib/stats' percentileInterval gives, up to Monte Carlo error", () => {
    const rng = createRng(64);
    const values = Array.from({ length: 2000 }, () => Math.exp(6 + 0.5 * rng.nextNormal()));
    const sorted = sortedCopy(values);
    const replicates = quantileReplicates(sorted, [0.5, 0.95], 10_000, createRng(65));
    [0.5, 0.95].forEach((p, index) => {
      const reference = percentileInterval(values, p);
      const mine = Float64Array.from(replicates[index] as Float64Array).sort();
      const width = reference.high - reference.low;
      expect(Math.abs(quantileOfSorted(mine, 0.025) - reference.low)).toBeLessThan(0.1 * width);
      expect(Math.abs(quantileOfSorted(mine, 0.975) - reference.high)).toBeLessThan(0.1 * width);
    });
  });

  it("handles one value, ties and an empty sample", () => {
    expect(Array.from(quantileReplicates(Float64Array.of(5), [0.5, 0.99], 10, createRng(1))[0] as Float64Array)).toEqual(new Array(10).fill(5));
    const tied = quantileReplicates(Float64Array.of(2, 2, 2, 2), [0.9], 50, createRng(1))[0] as Float64Array;
    expect(new Set(tied)).toEqual(new Set([2]));
    expect((quantileReplicates(new Float64Array(0), [0.5], 10, createRng(1))[0] as Float64Array).length).toBe(0);
  });
});

describe("gammaDraw", () => {
  it("has mean and variance equal to the shape", () => {
    const rng = createRng(66);
    for (const shape of [1, 3, 250]) {
      const draws = Array.from({ length: 40_000 }, () => gammaDraw(shape, rng));
      const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
      const variance = draws.reduce((sum, value) => sum + (value - mean) ** 2, 0) / draws.length;
      expect(mean / shape).toBeCloseTo(1, 1);
      expect(variance / shape).toBeCloseTo(1, 1);
    }
    expect(gammaDraw(0, rng)).toBe(0);
  });
});
