import { describe, expect, it } from "vitest";
import { createRng } from "@/lib/stats/index.ts";
import { AppError } from "@/lib/errors.ts";

describe("createRng", () => {
  it("repeats its stream for a seed and differs between neighbouring seeds", () => {
    const first = createRng(1);
    const again = createRng(1);
    const other = createRng(2);
    const a = Array.from({ length: 5 }, () => first.nextUint32());
    expect(Array.from({ length: 5 }, () => again.nextUint32())).toEqual(a);
    expect(Array.from({ length: 5 }, () => other.nextUint32())).not.toEqual(a);
  });

  it("spreads draws evenly: chi-square over 100 bins stays below the 99.9 % critical value", () => {
    const rng = createRng(3);
    const bins = new Array<number>(100).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const bin = rng.nextInt(100);
      bins[bin] = (bins[bin] as number) + 1;
    }
    const expected = draws / 100;
    const chiSquare = bins.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(148.2); // χ²(99) at 0.999
    expect(chiSquare).toBeGreaterThan(60); // far too even would be just as suspicious
  });

  it("fillInts yields the same indices as repeated nextInt", () => {
    const one = createRng(4);
    const batch = createRng(4);
    const target = new Int32Array(1000);
    batch.fillInts(target, 37);
    expect(Array.from(target)).toEqual(Array.from({ length: 1000 }, () => one.nextInt(37)));
    expect(one.nextUint32()).toBe(batch.nextUint32());
  });

  it("draws standard normals with mean 0 and variance 1", () => {
    const rng = createRng(5);
    const values = Array.from({ length: 50_000 }, () => rng.nextNormal());
    const average = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - average) ** 2, 0) / values.length;
    expect(Math.abs(average)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it("refuses a non-finite seed", () => {
    expect(() => createRng(Number.NaN)).toThrow(AppError);
  });
});
