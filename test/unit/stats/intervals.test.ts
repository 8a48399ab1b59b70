import { describe, expect, it } from "vitest";
import { normalQuantile, wilsonInterval } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

describe("wilsonInterval", () => {
  it("reproduces Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score)", () => {
    // Published to 4 decimals; the full digits are scipy 1.17.1 binomtest(k, n).proportion_ci(method="wilson").
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2552885198782742, 0.36620957698280004], // Newcombe: 0.2553, 0.3662
      [15, 148, 0.06238639953073629, 0.16048724172330803], // 0.0624, 0.1605
      [0, 20, 0, 0.16112515805281935], // 0.0000, 0.1611
      [1, 29, 0.006113214292762667, 0.17175521879320282], // 0.0061, 0.1718
    ];
    for (const [k, n, low, high] of cases) {
      const interval = wilsonInterval(k, n);
      expect(interval.low, `${k}/${n} low`).toBeCloseTo(low, 12);
      expect(interval.high, `${k}/${n} high`).toBeCloseTo(high, 12);
    }
  });

  it("honours the confidence level (99 % from scipy: 0.24013690268760768, 0.3852825023182298)", () => {
    const interval = wilsonInterval(81, 263, 0.99);
    expect(interval.low).toBeCloseTo(0.24013690268760768, 12);
    expect(interval.high).toBeCloseTo(0.3852825023182298, 12);
  });

  it("bounds solve the score equation |p̂ − p| = z·√(p(1 − p)/n), a second derivation", () => {
    const z = normalQuantile(0.975);
    for (const [k, n] of [[81, 263], [3, 7], [49, 50], [500, 1000]] as const) {
      const { low, high } = wilsonInterval(k, n);
      for (const bound of [low, high]) {
        expect(Math.abs(k / n - bound)).toBeCloseTo(z * Math.sqrt((bound * (1 - bound)) / n), 12);
      }
    }
  });

  it("stays inside [0, 1] and is exact at the extremes", () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(wilsonInterval(0, 5).low).toBe(0);
    expect(wilsonInterval(5, 5).high).toBe(1);
    expect(wilsonInterval(5, 5).low).toBeGreaterThan(0.5);
    const single = wilsonInterval(1, 1);
    expect(single.low).toBeGreaterThan(0);
    expect(single.high).toBe(1);
  });

  it("narrows as trials grow for the same pass rate", () => {
    const small = wilsonInterval(7, 10);
    const large = wilsonInterval(700, 1000);
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 5);
  });

  it("rejects counts that cannot happen", () => {
    expect(() => wilsonInterval(6, 5)).toThrow(AppError);
    expect(() => wilsonInterval(-1, 5)).toThrow(AppError);
    expect(() => wilsonInterval(1, 5, 1)).toThrow(AppError);
  });
});
