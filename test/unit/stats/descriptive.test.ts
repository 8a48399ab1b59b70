import { describe, expect, it } from "vitest";
import { ecdf, mean, median, quantile } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

describe("quantile (type 7)", () => {
  it("matches numpy.percentile's default linear interpolation", () => {
    // numpy 2.4: np.percentile([1,2,3,4], 95) = 3.85; np.percentile([3,1,2], [0,25,50,100]) = [1, 1.5, 2, 3];
    // np.percentile(10..100 step 10, [10, 90]) = [19, 91]; np.percentile(1..10, [33, 66.6]) = [3.97, 6.994].
    expect(quantile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect([0, 0.25, 0.5, 1].map((p) => quantile([3, 1, 2], p))).toEqual([1, 1.5, 2, 3]);
    const tens = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(quantile(tens, 0.1)).toBeCloseTo(19, 12);
    expect(quantile(tens, 0.9)).toBeCloseTo(91, 12);
    const ones = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(ones, 0.33)).toBeCloseTo(3.97, 12);
    expect(quantile(ones, 0.666)).toBeCloseTo(6.994, 12);
  });

  it("does not reorder the caller's array", () => {
    const values = [5, 1, 4];
    quantile(values, 0.5);
    expect(values).toEqual([5, 1, 4]);
  });

  it("handles one value, all ties and empty samples", () => {
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([2, 2, 2], 0.3)).toBe(2);
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.1)).toThrow(AppError);
  });
});

describe("mean and median", () => {
  it("compute the usual values and NaN for no data", () => {
    expect(mean([1, 2, 3, 10])).toBe(4);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([9, 1, 5])).toBe(5);
    expect(mean([])).toBeNaN();
    expect(median([])).toBeNaN();
  });

  it("refuse NaN and infinite values, naming the position", () => {
    expect(() => mean([1, Number.NaN])).toThrow(AppError);
    try {
      median([1, 2, Number.POSITIVE_INFINITY]);
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).details[0]?.path).toBe("values[2]");
    }
  });
});

describe("ecdf", () => {
  it("gives one step per distinct value with the share at or below it", () => {
    expect(ecdf([3, 1, 2, 2])).toEqual({ x: [1, 2, 3], y: [0.25, 0.75, 1] });
    expect(ecdf([5])).toEqual({ x: [5], y: [1] });
    expect(ecdf([])).toEqual({ x: [], y: [] });
  });
});
