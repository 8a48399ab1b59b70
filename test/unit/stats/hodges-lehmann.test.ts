import { describe, expect, it } from "vitest";
import { createRng, hodgesLehmannInterval, hodgesLehmannShift, mannWhitneyU } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

/** Median of every b − a, by listing and sorting them all. */
function bruteForceShift(a: number[], b: number[]): number {
  const differences = new Float64Array(a.length * b.length);
  let filled = 0;
  for (const x of a) for (const y of b) differences[filled++] = y - x;
  differences.sort();
  const middle = Math.floor(differences.length / 2);
  return differences.length % 2 === 1
    ? (differences[middle] as number)
    : ((differences[middle - 1] as number) + (differences[middle] as number)) / 2;
}

describe("hodgesLehmannShift", () => {
  it("matches numpy on R's wilcox.test depression data: median(y − x) = −0.56", () => {
    // x, y from R ?wilcox.test (Hollander & Wolfe, p. 29); numpy: np.median(np.subtract.outer(y, x)) = -0.56.
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    expect(hodgesLehmannShift(x, y)).toBeCloseTo(-0.56, 12);
  });

  it("equals the brute-force median for random sizes, odd and even totals, with and without ties", () => {
    const rng = createRng(21);
    for (let trial = 0; trial < 60; trial++) {
      const sizeA = 1 + rng.nextInt(trial < 40 ? 30 : 300);
      const sizeB = 1 + rng.nextInt(trial < 40 ? 30 : 300);
      const tied = trial % 3 === 0;
      const draw = (): number => (tied ? rng.nextInt(6) : Math.exp(rng.nextNormal()));
      const a = Array.from({ length: sizeA }, draw);
      const b = Array.from({ length: sizeB }, () => draw() + (tied ? 1 : 0.2));
      expect(hodgesLehmannShift(a, b), `${sizeA} × ${sizeB}`).toBe(bruteForceShift(a, b));
    }
  });

  it("finds the exact median on samples large enough to take the selection path (1,200 × 900)", () => {
    const rng = createRng(22);
    const a = Array.from({ length: 1200 }, () => Math.exp(6 + 0.5 * rng.nextNormal()));
    const b = Array.from({ length: 900 }, () => Math.exp(6.1 + 0.5 * rng.nextNormal()));
    expect(hodgesLehmannShift(a, b)).toBe(bruteForceShift(a, b));
  });

  it("recovers a known shift and its sign", () => {
    const rng = createRng(23);
    const a = Array.from({ length: 500 }, () => rng.nextNormal());
    const b = a.map((value) => value + 3);
    expect(hodgesLehmannShift(a, b)).toBeCloseTo(3, 12);
    expect(hodgesLehmannShift(b, a)).toBeCloseTo(-3, 12);
  });

  it("handles all ties, single values and empty samples", () => {
    expect(hodgesLehmannShift([4, 4, 4], [4, 4])).toBe(0);
    expect(hodgesLehmannShift([1], [5])).toBe(4);
    expect(hodgesLehmannShift([], [1])).toBeNaN();
    expect(() => hodgesLehmannShift([1], [Number.NaN])).toThrow(AppError);
  });
});

/** Lower α/2 critical value of U by listing every split of m + n distinct ranks (R's qwilcox, 0 → 1). */
function enumeratedCritical(m: number, n: number, alpha: number): number {
  const counts = new Map<number, number>();
  let splits = 0;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === m) {
      const rankSum = picked.reduce((sum, rank) => sum + rank, 0);
      const u = rankSum - (m * (m + 1)) / 2;
      counts.set(u, (counts.get(u) ?? 0) + 1);
      splits++;
      return;
    }
    for (let rank = start; rank <= m + n; rank++) choose(rank + 1, [...picked, rank]);
  };
  choose(1, []);
  let cumulative = 0;
  for (let q = 0; q <= m * n; q++) {
    cumulative += counts.get(q) ?? 0;
    if (cumulative / splits >= alpha / 2) return Math.max(q, 1);
  }
  return m * n;
}

describe("hodgesLehmannInterval", () => {
  it("bounds the interval by the order statistics of the differences at the exact critical value (no ties)", () => {
    const rng = createRng(31);
    for (const [m, n] of [[4, 5], [6, 6], [3, 9], [7, 5]] as const) {
      const a = Array.from({ length: m }, () => rng.nextNormal());
      const b = Array.from({ length: n }, () => rng.nextNormal() + 0.5);
      const differences = b.flatMap((y) => a.map((x) => y - x)).sort((left, right) => left - right);
      const critical = enumeratedCritical(m, n, 0.05);
      const result = hodgesLehmannInterval(a, b);
      expect(result.estimate, `${m} × ${n}`).toBe(bruteForceShift(a, b));
      expect(result.low, `${m} × ${n}`).toBe(differences[critical - 1]);
      expect(result.high, `${m} × ${n}`).toBe(differences[m * n - critical]);
    }
  });

  it("excludes 0 when the Mann–Whitney test rejects at 5 % and includes it when it does not", () => {
    const rng = createRng(32);
    let checked = 0;
    for (let trial = 0; trial < 200; trial++) {
      const a = Array.from({ length: 80 }, () => Math.exp(6 + 0.5 * rng.nextNormal()));
      const b = Array.from({ length: 70 }, () => Math.exp(6.12 + 0.5 * rng.nextNormal()));
      const { pValue } = mannWhitneyU(a, b);
      // Both sides of the boundary can disagree by one order statistic; leave the razor-thin cases out.
      if (Math.abs(pValue - 0.05) < 0.01) continue;
      const { low, high } = hodgesLehmannInterval(a, b);
      expect(low > 0 || high < 0, `p = ${pValue}`).toBe(pValue < 0.05);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  // 1,000 seeded intervals of 60 × 60 take ~3 s of CPU; on a shared machine the default 5 s limit fails it for no fault.
  it("covers the true shift about 95 % of the time (normal approximation, 60 vs 60)", { timeout: 30_000 }, () => {
    const rng = createRng(33);
    let covered = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const a = Array.from({ length: 60 }, () => 100 + 20 * rng.nextNormal());
      const b = Array.from({ length: 60 }, () => 130 + 20 * rng.nextNormal());
      const { low, high } = hodgesLehmannInterval(a, b);
      if (low <= 30 && 30 <= high) covered++;
    }
    expect(covered / 1000).toBeGreaterThan(0.93);
    expect(covered / 1000).toBeLessThan(0.97);
  });

  it("widens with the confidence level; tiny samples get the full range; empty gives NaN", () => {
    const rng = createRng(34);
    const a = Array.from({ length: 40 }, () => rng.nextNormal());
    const b = Array.from({ length: 45 }, () => rng.nextNormal());
    const at90 = hodgesLehmannInterval(a, b, { confidence: 0.9 });
    const at99 = hodgesLehmannInterval(a, b, { confidence: 0.99 });
    expect(at99.low).toBeLessThan(at90.low);
    expect(at99.high).toBeGreaterThan(at90.high);
    expect(hodgesLehmannInterval([1, 2], [5, 7])).toEqual({ estimate: 4.5, low: 3, high: 6 });
    expect(hodgesLehmannInterval([], [1]).estimate).toBeNaN();
    expect(() => hodgesLehmannInterval([1], [2], { confidence: 1 })).toThrow(AppError);
  });
});
