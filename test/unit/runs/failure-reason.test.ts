import { describe, expect, it } from "vitest";
import { errorReason, failureReason } from "../../../lib/runs/failure-reason.ts";

describe("failureReason (grid, export and compare say the same)", () => {
  it("names the call's error with its kind and status first", () => {
    const assertions = [{ type: "contains", pass: false, reason: "expected output to contain \"Paris\"" }];
    expect(failureReason({ pass: false, error: { kind: "rate_limit", status: 429, message: "Rate limit reached" }, assertions })).toBe("rate_limit 429: Rate limit reached");
    expect(failureReason({ pass: null, error: { kind: "timeout", message: "No answer within 60 s." }, assertions: [] })).toBe("timeout: No answer within 60 s.");
  });

  it("gives every failing assertion's reason, in order, or its type when it has none", () => {
    const assertions = [
      { type: "equals", pass: true, reason: "" },
      { type: "contains", pass: false, reason: 'expected output to contain "Paris"' },
      { type: "is-json", pass: false, reason: "" },
    ];
    expect(failureReason({ pass: false, error: null, assertions })).toBe('expected output to contain "Paris"; is-json failed');
  });

  it("says 'did not pass' for a failed result with nothing on record, and nothing for a pass or an ungraded result", () => {
    expect(failureReason({ pass: false, error: null, assertions: [] })).toBe("did not pass");
    expect(failureReason({ pass: true, error: null, assertions: [{ type: "equals", pass: true, reason: "" }] })).toBeNull();
    expect(failureReason({ pass: null, error: null, assertions: null })).toBeNull();
  });

  it("reads odd stored errors without throwing", () => {
    expect(errorReason("boom")).toBe("boom");
    expect(errorReason({ kind: "network" })).toBe("network");
    expect(errorReason({})).toBe("error");
    expect(errorReason(null)).toBeNull();
  });
});
