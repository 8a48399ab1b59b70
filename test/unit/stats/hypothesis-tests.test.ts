import { describe, expect, it } from "vitest";
import { createRng, holm, mcnemarExact, signTest } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

describe("mcnemarExact", () => {
  it("reproduces Agresti's presidential approval table (Categorical Data Analysis, 2nd ed., Table 10.1)", () => {
    // 1,600 people asked twice: 794 approve both times, 150 approve then disapprove, 86 the reverse, 570 neither.
    // Exact McNemar = binom.test(86, 236): scipy binomtest(86, 236).pvalue = 3.7159361395713866e-05
    // (the asymptotic McNemar statistic Agresti reports is 17.36, p < 0.001).
    expect(mcnemarExact(150, 86).pValue).toBeCloseTo(3.7159361395713866e-5, 15);
    expect(mcnemarExact(86, 150).pValue).toBe(mcnemarExact(150, 86).pValue);
  });

  it("gives p = 1 without discordant pairs and for a perfect split", () => {
    expect(mcnemarExact(0, 0).pValue).toBe(1);
    expect(mcnemarExact(5, 5).pValue).toBe(1);
    // One discordant pair: 2 · ½ = 1.
    expect(mcnemarExact(1, 0).pValue).toBe(1);
  });

  it("matches hand-computed exact values: 0 vs 6 → 2/64, 1 vs 9 → 2·11/1024", () => {
    expect(mcnemarExact(0, 6).pValue).toBeCloseTo(2 / 64, 15);
    expect(mcnemarExact(1, 9).pValue).toBeCloseTo((2 * 11) / 1024, 15);
  });

  it("A/A: two identical variants over 200 cases flag p < 0.05 in at most 7 % of 1,000 comparisons", () => {
    const rng = createRng(101);
    let rejections = 0;
    for (let simulation = 0; simulation < 1000; simulation++) {
      let onlyA = 0;
      let onlyB = 0;
      for (let item = 0; item < 200; item++) {
        // Cases differ in difficulty, and both variants share it, as on a real suite.
        const passRate = Math.min(0.98, Math.max(0.02, 0.7 + 0.25 * rng.nextNormal()));
        const passA = rng.next() < passRate;
        const passB = rng.next() < passRate;
        if (passA && !passB) onlyA++;
        if (passB && !passA) onlyB++;
      }
      if (mcnemarExact(onlyA, onlyB).pValue < 0.05) rejections++;
    }
    // The exact test is conservative (discrete), so below 5 % is expected; 0 would mean it never fires.
    expect(rejections / 1000).toBeLessThanOrEqual(0.07);
    expect(rejections / 1000).toBeGreaterThan(0.01);
  });

  it("detects a real 10-point improvement over 200 cases most of the time", () => {
    const rng = createRng(202);
    let rejections = 0;
    for (let simulation = 0; simulation < 300; simulation++) {
      let onlyA = 0;
      let onlyB = 0;
      for (let item = 0; item < 200; item++) {
        const passA = rng.next() < 0.7;
        const passB = rng.next() < 0.8;
        if (passA && !passB) onlyA++;
        if (passB && !passA) onlyB++;
      }
      if (mcnemarExact(onlyA, onlyB).pValue < 0.05) rejections++;
    }
    expect(rejections / 300).toBeGreaterThan(0.4);
  });
});

describe("signTest", () => {
  it("is the two-sided binomial at ½: 10 wins, 2 losses → 2·(1 + 12 + 66)/4096", () => {
    expect(signTest(10, 2).pValue).toBeCloseTo(158 / 4096, 15);
    expect(signTest(2, 10).pValue).toBeCloseTo(158 / 4096, 15);
    expect(signTest(0, 0).pValue).toBe(1);
    expect(signTest(3, 3).pValue).toBe(1);
    expect(() => signTest(-1, 2)).toThrow(AppError);
  });
});

/** Holm's step-down procedure as published (1979): reject in order while p(i) ≤ α / (m − i). */
function stepDownRejections(pValues: number[], alpha: number): boolean[] {
  const order = pValues.map((_, index) => index).sort((left, right) => (pValues[left] as number) - (pValues[right] as number));
  const rejected = pValues.map(() => false);
  for (let rank = 0; rank < order.length; rank++) {
    const index = order[rank] as number;
    if ((pValues[index] as number) > alpha / (order.length - rank)) break;
    rejected[index] = true;
  }
  return rejected;
}

describe("holm", () => {
  it("adjusts a worked example by hand, in input order", () => {
    // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    const expected = [0.03, 0.06, 0.06, 0.02];
    adjusted.forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 15));
  });

  it("caps at 1 and handles empty and single inputs", () => {
    expect(holm([0.6, 0.7])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
    expect(holm([0.03])).toEqual([0.03]);
  });

  it("rejects exactly what Holm's step-down procedure rejects, at every α", () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const count = 1 + rng.nextInt(8);
      const pValues = Array.from({ length: count }, () => Math.pow(rng.next(), 3));
      const adjusted = holm(pValues);
      for (const alpha of [0.01, 0.05, 0.1]) {
        expect(adjusted.map((value) => value <= alpha)).toEqual(stepDownRejections(pValues, alpha));
      }
    }
  });

  it("refuses values that are not probabilities", () => {
    expect(() => holm([0.1, Number.NaN])).toThrow(AppError);
    expect(() => holm([1.2])).toThrow(AppError);
  });
});
