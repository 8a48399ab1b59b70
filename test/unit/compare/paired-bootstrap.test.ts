import { describe, expect, it } from "vitest";
import { pairedBootstrap } from "@/lib/compare/paired-bootstrap.ts";
import { createRng, pairedBootstrapMeanDiff } from "@/lib/stats/index.ts";

describe("pairedBootstrap", () => {
  it("gives exactly lib/stats' interval for the difference, for the same seed", () => {
    const rng = createRng(51);
    const a = Array.from({ length: 300 }, () => rng.next());
    const b = a.map((value) => Math.min(1, value + 0.05 * rng.nextNormal() + 0.02));
    for (const seed of [1, 7, 20240601]) {
      const reference = pairedBootstrapMeanDiff(a, b, { seed, resamples: 2000 });
      const result = pairedBootstrap(a, b, { seed, resamples: 2000 });
      expect(result.diff).toEqual({ estimate: reference.diff, low: reference.low, high: reference.high });
    }
  });

  it("reports each side's mean with an interval that brackets it", () => {
    const a = Array.from({ length: 200 }, (_, index) => (index % 4 === 0 ? 0 : 1));
    const b = Array.from({ length: 200 }, (_, index) => (index % 5 === 0 ? 0 : 1));
    const result = pairedBootstrap(a, b, { resamples: 2000 });
    expect(result.meanA.estimate).toBe(0.75);
    expect(result.meanB.estimate).toBe(0.8);
    expect(result.meanA.low).toBeLessThan(0.75);
    expect(result.meanA.high).toBeGreaterThan(0.75);
    expect(result.meanB.low).toBeLessThan(0.8);
  });

  it("p-value: 1 for identical variants, tiny for a clear difference, about uniform under the null", () => {
    const same = Array.from({ length: 50 }, (_, index) => index / 50);
    expect(pairedBootstrap(same, same, { resamples: 500 }).pValue).toBe(1);
    const better = same.map((value) => value + 0.2);
    expect(pairedBootstrap(same, better, { resamples: 1000 }).pValue).toBeLessThan(0.002);
    const rng = createRng(52);
    let rejections = 0;
    for (let trial = 0; trial < 400; trial++) {
      const a = Array.from({ length: 80 }, () => rng.nextNormal());
      const b = a.map((value) => value + rng.nextNormal());
      if (pairedBootstrap(a, b, { resamples: 400, seed: trial }).pValue < 0.05) rejections++;
    }
    expect(rejections / 400).toBeGreaterThan(0.02);
    expect(rejections / 400).toBeLessThan(0.09);
  });
});
