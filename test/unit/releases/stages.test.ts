import { describe, expect, it } from "vitest";
import { completeConfig, releaseConfigInput } from "../../../lib/releases/schema.ts";
import { percentToBps, stagesOf } from "../../../lib/releases/stages.ts";

const config = (input: Record<string, unknown>, arms = 2) => completeConfig(releaseConfigInput.parse(input), arms);

describe("stagesOf", () => {
  it("gives a canary the default ramp 1 → 5 → 25 → 50 → 100 % in basis points", () => {
    expect(stagesOf("canary", config({})).map((stage) => [stage.index, stage.ring, stage.ringIndex, stage.shareBps, stage.title])).toEqual([
      [0, "everyone", 0, 100, "everyone 1 %"],
      [1, "everyone", 0, 500, "everyone 5 %"],
      [2, "everyone", 0, 2500, "everyone 25 %"],
      [3, "everyone", 0, 5000, "everyone 50 %"],
      [4, "everyone", 0, 10000, "everyone 100 %"],
    ]);
  });

  it("opens the rings first, each fully on the candidate, then the ramp over everyone", () => {
    const stages = stagesOf("canary", config({ steps: [10, 100], rings: [{ name: "internal" }, { name: "beta", percent: 20 }] }));
    expect(stages.map((stage) => [stage.ring, stage.ringIndex, stage.shareBps, stage.title])).toEqual([
      ["internal", 0, 10000, "internal"],
      ["beta", 1, 10000, "beta"],
      ["everyone", 2, 1000, "everyone 10 %"],
      ["everyone", 2, 10000, "everyone 100 %"],
    ]);
  });

  it("gives A/B, shadow and interleaved one stage per ring and one for everyone", () => {
    for (const mode of ["ab", "shadow", "interleaved"] as const) {
      expect(stagesOf(mode, config({})).map((stage) => stage.title)).toEqual(["everyone"]);
      expect(stagesOf(mode, config({ rings: [{ name: "internal" }] })).map((stage) => stage.title)).toEqual(["internal", "everyone"]);
    }
  });

  it("rounds percentages to basis points", () => {
    expect([percentToBps(0.5), percentToBps(12.34), percentToBps(100)]).toEqual([50, 1234, 10000]);
  });
});

describe("completeConfig", () => {
  it("fills an even split that sums to 100, stable taking the remainder", () => {
    expect(config({}, 2).split).toEqual([50, 50]);
    expect(config({}, 3).split).toEqual([33.34, 33.33, 33.33]);
    expect(config({}, 2).sample).toBe(100);
  });
});
