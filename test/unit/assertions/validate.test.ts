import { describe, expect, it } from "vitest";
import { assertionInput, validateAssertions } from "../../../lib/assertions/index.ts";

describe("validateAssertions", () => {
  it("accepts a valid list, negated types included", () => {
    expect(
      validateAssertions([
        { type: "contains", value: "x" },
        { type: "not-regex", value: "^a", flags: "i", weight: 2 },
        { type: "json-schema", value: { type: "object" } },
        { type: "json-path", path: "$.a[0]", value: 1 },
        { type: "label", classes: ["a", "b"] },
        { type: "latency", threshold: 300 },
      ]),
    ).toEqual([]);
  });

  it("names each problem by index and key", () => {
    expect(
      validateAssertions([
        { type: "contians", value: "x" },
        { type: "contains", value: "x", weight: -1 },
        { type: "regex", value: "(" },
        { type: "json-schema", value: { type: "strin" } },
        { type: "contains", threshold: 0.5 },
        { type: "latency" },
        { type: "json-path", path: "answer" },
        { type: "word-count", min: 5, max: 2 },
        { type: "label", classes: ["Yes", "yes!"] },
      ]),
    ).toEqual([
      { path: "assertions[0].type", message: 'unknown assertion type "contians" (did you mean "contains"?)' },
      { path: "assertions[1].weight", message: "Too small: expected number to be >0" },
      { path: "assertions[2].value", message: "Invalid regular expression: /(/: Unterminated group" },
      { path: "assertions[3].value", message: expect.stringMatching(/^invalid JSON Schema: schema is invalid: data\/type/) },
      { path: "assertions[4].threshold", message: 'unknown key "threshold"' },
      { path: "assertions[5].threshold", message: "Invalid input: expected number, received undefined" },
      { path: "assertions[6].path", message: 'JSONPath "answer" must start with $ (for example $.answer)' },
      { path: "assertions[7].max", message: "max (2) is below min (5)" },
      { path: "assertions[8].classes[1]", message: 'class "yes!" is the same as classes[0] once case and punctuation are ignored' },
    ]);
  });

  it("reports a list that is not a list, and a custom base path", () => {
    expect(validateAssertions({ type: "contains" }, "assert")).toEqual([
      { path: "assert", message: "Invalid input: expected array, received object" },
    ]);
    expect(validateAssertions([{}], "cases[3].assert")).toEqual([
      { path: "cases[3].assert[0].type", message: "assertion needs a type" },
    ]);
  });

  it("a templated regex is checked only when it is filled in", () => {
    expect(validateAssertions([{ type: "regex", value: "^{{prefix}}" }])).toEqual([]);
  });

  it("applies defaults when parsing", () => {
    expect(assertionInput.parse({ type: "similarity" })).toEqual({ type: "similarity", weight: 1, threshold: 0.8 });
    expect(assertionInput.parse({ type: "not-levenshtein", value: "a" })).toEqual({
      type: "not-levenshtein",
      value: "a",
      weight: 1,
      threshold: 5,
    });
  });
});
