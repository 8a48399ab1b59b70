import { describe, expect, it } from "vitest";
import { createRng, hodgesLehmannShift } from "@/lib/stats/index.ts";
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
