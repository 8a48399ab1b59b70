import { describe, expect, it } from "vitest";
import { confidenceOf } from "../../../lib/distill/serve-student.ts";

// The confidence a cascade compares with its threshold: the answer's probability; for a fields task the lowest of its
// heads' answers.

describe("confidenceOf", () => {
  it("is the answer's probability for a label task", () => {
    expect(confidenceOf([{ field: null, value: "bug", values: ["billing", "bug", "other"], probabilities: [0.2, 0.7, 0.1] }])).toBe(0.7);
  });

  it("is the lowest head's answer probability for a fields task", () => {
    expect(
      confidenceOf([
        { field: "money", value: true, values: [false, true], probabilities: [0.05, 0.95] },
        { field: "team", value: "support", values: ["engineering", "support"], probabilities: [0.4, 0.6] },
      ]),
    ).toBe(0.6);
  });
});
