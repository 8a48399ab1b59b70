import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError, errorBody } from "../../../lib/errors.ts";
import { createReleaseInput } from "../../../lib/releases/schema.ts";
import { armNames, candidateNumbers, validateReleaseShape } from "../../../lib/releases/validate.ts";

// What a refused release says: the field first, then what to change.

function messageOf(raw: Record<string, unknown>): string {
  try {
    const input = createReleaseInput.parse({ prompt: "p", ...raw });
    const arms = armNames(candidateNumbers(input).length);
    validateReleaseShape(input, arms.length);
  } catch (error) {
    if (error instanceof AppError || error instanceof ZodError) return errorBody(error).error.message;
    throw error;
  }
  return "accepted";
}

describe("release shape", () => {
  it("names the field of each refusal", () => {
    expect(messageOf({ mode: "canary" })).toBe("candidate: name the candidate version number");
    expect(messageOf({ mode: "canary", candidate: 2, candidates: [3] })).toBe("candidate: give candidate (one version) or candidates (several), not both");
    expect(messageOf({ mode: "shadow", candidates: [2, 3] })).toBe("candidate: a shadow release has exactly one candidate (A/B takes several)");
    expect(messageOf({ mode: "ab", candidates: [2, 2] })).toBe("candidate: each candidate version only once");
    expect(messageOf({ mode: "canary", candidate: 2, steps: [1, 5, 5, 100] })).toBe("steps: steps must rise: 5 % follows 5 %");
    expect(messageOf({ mode: "canary", candidate: 2, steps: [1, 50] })).toBe("steps: the last step must be 100 % (it is 50 %)");
    expect(messageOf({ mode: "canary", candidate: 2, steps: [0, 100] })).toBe("steps.0: a step above 0");
    expect(messageOf({ mode: "canary", candidate: 2, steps: [] })).toMatch(/^steps: /);
    expect(messageOf({ mode: "ab", candidate: 2, steps: [100] })).toBe("steps: only a canary has ramp steps (this release is ab)");
    expect(messageOf({ mode: "ab", candidates: [2, 3], split: [50, 50] })).toBe("split: one share per arm, stable first: 3 arms, 2 shares");
    expect(messageOf({ mode: "ab", candidate: 2, split: [60, 30] })).toBe("split: the shares must sum to 100 (they sum to 90)");
    expect(messageOf({ mode: "canary", candidate: 2, split: [50, 50] })).toBe("split: only an A/B release has a split (this release is canary)");
    expect(messageOf({ mode: "canary", candidate: 2, sample: 50 })).toBe("sample: only a shadow release has a sample (this release is canary)");
    expect(messageOf({ mode: "shadow", candidate: 2, sample: 0 })).toBe("sample: a shadow sample above 0 %");
    expect(messageOf({ mode: "canary", candidate: 2, rings: [{ name: "beta" }, { name: "BETA" }] })).toBe('rings: two rings are named "BETA"');
    expect(messageOf({ mode: "canary", candidate: 2, rings: [{ name: "everyone" }] })).toBe('rings.0.name: "everyone" is the implicit last ring');
    expect(messageOf({ mode: "shadow", candidate: 2, scoring: { assertions: [0] } })).toBe("scoring.suiteId: assertions are indices into a suite's assertions: name the suite");
    expect(messageOf({ mode: "rollout", candidate: 2 })).toBe("mode: canary, ab, shadow or interleaved");
  });

  it("accepts each mode's own settings", () => {
    expect(messageOf({ mode: "canary", candidate: 2, steps: [1, 10, 100] })).toBe("accepted");
    expect(messageOf({ mode: "ab", candidates: [2, 3], split: [34, 33, 33] })).toBe("accepted");
    expect(messageOf({ mode: "ab", candidate: 2, split: [50, 50] })).toBe("accepted");
    expect(messageOf({ mode: "shadow", candidate: 2, sample: 10 })).toBe("accepted");
    expect(messageOf({ mode: "interleaved", candidate: 2 })).toBe("accepted");
  });

  it("names arms stable, candidate, candidate-2 …", () => {
    expect(armNames(3)).toEqual(["stable", "candidate", "candidate-2", "candidate-3"]);
  });
});
