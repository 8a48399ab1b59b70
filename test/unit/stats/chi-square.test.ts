import { describe, expect, it } from "vitest";
import { chiSquareGoodnessOfFit, chiSquareSurvival, logGamma } from "../../../lib/stats/index.ts";

// Reference values: the chi-square table's critical values (R qchisq(1 − p, df)) and closed forms.
describe("chi-square survival", () => {
  it("matches the table's critical values", () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(10.827566170662733, 1)).toBeCloseTo(0.001, 12);
    expect(chiSquareSurvival(5.991464547107979, 2)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(11.344866730144373, 3)).toBeCloseTo(0.01, 12);
    expect(chiSquareSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 12);
  });

  it("equals the closed forms: df 2 is e^(−x/2), df 1 is 2(1 − Φ(√x))", () => {
    for (const x of [0.1, 1, 7, 40]) expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14);
    // x = 32: 2(1 − Φ(5.656854)) = 1.5417257900280e-8
    expect(chiSquareSurvival(32, 1) / 1.541725790028e-8).toBeCloseTo(1, 10);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });

  it("log Γ of integers and halves", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it("goodness of fit names the field it refuses", () => {
    expect(() => chiSquareGoodnessOfFit([1, 2], [1])).toThrow(/same length/);
    expect(() => chiSquareGoodnessOfFit([1, 2], [1, 0])).toThrow(/expected count must be positive/);
  });
});
