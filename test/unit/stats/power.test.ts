import { describe, expect, it } from "vitest";
import { normalCdf, normalQuantile, sampleSizeForProportions } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

/** The power function R's power.prop.test evaluates (two-sided, strict = FALSE), for a check by substitution. */
function powerPropTest(n: number, p1: number, p2: number, alpha = 0.05): number {
  const z = normalQuantile(1 - alpha / 2);
  return normalCdf(
    (Math.sqrt(n) * Math.abs(p1 - p2) - z * Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2))) /
      Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)),
  );
}

describe("sampleSizeForProportions", () => {
  it("reproduces R's ?power.prop.test example: p1 = .50, p2 = .75, power = .90 → n = 76.7 per group", () => {
    // R documents "power.prop.test(p1 = .50, p2 = .75, power = .90)  # =>  n = 76.7"; rounded up: 77.
    expect(sampleSizeForProportions(0.5, 0.75, { power: 0.9 })).toBe(77);
  });

  it("uses alpha 0.05 and power 0.8 by default (R: n = 57.67 for .50 vs .75)", () => {
    expect(sampleSizeForProportions(0.5, 0.75)).toBe(58);
    expect(sampleSizeForProportions(0.75, 0.5)).toBe(58);
  });

  it("returns the smallest n whose power, by R's formula, reaches the target", () => {
    const cases: Array<[number, number, number, number]> = [
      [0.1, 0.12, 0.05, 0.8],
      [0.7, 0.8, 0.05, 0.8],
      [0.6, 0.65, 0.01, 0.9],
      [0.3, 0.9, 0.05, 0.95],
    ];
    for (const [p1, p2, alpha, power] of cases) {
      const n = sampleSizeForProportions(p1, p2, { alpha, power });
      expect(powerPropTest(n, p1, p2, alpha), `${p1} vs ${p2}`).toBeGreaterThanOrEqual(power);
      expect(powerPropTest(n - 1, p1, p2, alpha), `${p1} vs ${p2}`).toBeLessThan(power);
    }
    // scipy-computed closed form for 0.10 vs 0.12: 3840.85 → 3841; for 0.7 vs 0.8: 293.15 → 294.
    expect(sampleSizeForProportions(0.1, 0.12)).toBe(3841);
    expect(sampleSizeForProportions(0.7, 0.8)).toBe(294);
  });

  it("needs no finite sample for equal rates and refuses impossible inputs", () => {
    expect(sampleSizeForProportions(0.4, 0.4)).toBe(Number.POSITIVE_INFINITY);
    expect(() => sampleSizeForProportions(1.2, 0.4)).toThrow(AppError);
    expect(() => sampleSizeForProportions(0.2, 0.4, { power: 1 })).toThrow(AppError);
    expect(() => sampleSizeForProportions(0.2, 0.4, { alpha: 0 })).toThrow(AppError);
  });
});
