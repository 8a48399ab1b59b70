import { describe, expect, it } from "vitest";
import { checkSampleRatio, expectedShares } from "../../../lib/releases/srm.ts";
import { stagesOf } from "../../../lib/releases/stages.ts";

const abStage = stagesOf("ab", { rings: [], steps: [] })[0]!;

describe("sample ratio mismatch", () => {
  it("52/48 over 20,000 calls against 50/50 is a mismatch: χ² = 32", () => {
    // (10,400 − 10,000)² / 10,000 + (9,600 − 10,000)² / 10,000 = 16 + 16 = 32; p = 2(1 − Φ(√32)) ≈ 1.5e-8
    const status = checkSampleRatio(expectedShares("ab", ["stable", "candidate"], abStage, [50, 50]), { stable: 10_400, candidate: 9_600 });
    expect(status.status).toBe("mismatch");
    expect(status.chiSquare).toBeCloseTo(32, 10);
    expect(status.pValue).toBeCloseTo(1.5417e-8, 11);
    expect(status.message).toContain("Sample ratio mismatch: stable 52.0% (expected 50.0%), candidate 48.0% (expected 50.0%) over 20,000 units");
  });

  it("50.3/49.7 over 20,000 calls is within chance: χ² = 0.72", () => {
    // 60² / 10,000 × 2 = 0.72; p ≈ 0.396
    const status = checkSampleRatio(expectedShares("ab", ["stable", "candidate"], abStage, [50, 50]), { stable: 10_060, candidate: 9_940 });
    expect(status.status).toBe("ok");
    expect(status.chiSquare).toBeCloseTo(0.72, 10);
    expect(status.pValue).toBeCloseTo(0.3961, 3);
  });

  it("a canary at 5 % expects 5 % on the candidate: 600 of 10,000 is a mismatch, 520 is not", () => {
    const stage = stagesOf("canary", { rings: [], steps: [1, 5, 25, 50, 100] })[1]!;
    const expected = expectedShares("canary", ["stable", "candidate"], stage, []);
    expect(expected).toEqual({ stable: 0.95, candidate: 0.05 });
    // 100² / 9,500 + 100² / 500 = 1.0526 + 20 = 21.05
    const high = checkSampleRatio(expected, { stable: 9_400, candidate: 600 });
    expect(high.status).toBe("mismatch");
    expect(high.chiSquare).toBeCloseTo(21.0526, 3);
    // 20² / 9,500 + 20² / 500 = 0.0421 + 0.8 = 0.842
    const near = checkSampleRatio(expected, { stable: 9_480, candidate: 520 });
    expect(near.status).toBe("ok");
    expect(near.chiSquare).toBeCloseTo(0.8421, 3);
  });

  it("three arms: df 2; too few units waits; shadow has no split", () => {
    const three = checkSampleRatio({ stable: 0.5, candidate: 0.25, "candidate-2": 0.25 }, { stable: 500, candidate: 260, "candidate-2": 240 });
    // 0 + 100/250 + 100/250 = 0.8, df 2: p = e^(−0.4) = 0.6703
    expect(three.chiSquare).toBeCloseTo(0.8, 10);
    expect(three.pValue).toBeCloseTo(Math.exp(-0.4), 10);
    expect(checkSampleRatio({ stable: 0.99, candidate: 0.01 }, { stable: 300, candidate: 0 }).status).toBe("waiting");
    expect(checkSampleRatio(null, {}).status).toBe("waiting");
  });
});
