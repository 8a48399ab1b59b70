import { describe, expect, it } from "vitest";
import { readinessReason } from "../../../lib/reviews/gate.ts";
import { parseProtectedLabels, protectedLabelList } from "../../../lib/reviews/protected-labels.ts";
import { decisionInput, evidenceInput, requestReviewInput } from "../../../lib/reviews/schema.ts";

const base = { label: "production", versionId: "v", versionNumber: 3, promptName: "support-triage", protected: true, reviewId: null };

describe("the release gate's reason", () => {
  it("names the label, the approvals needed, the version, and who counted", () => {
    expect(readinessReason({ ...base, required: 1, have: 0, missing: 1, approvers: [], authorApproval: null })).toBe(
      "production needs 1 approval of support-triage v3 from someone other than its author; it has 0.",
    );
    expect(readinessReason({ ...base, required: 2, have: 1, missing: 1, approvers: [{ id: "g", name: "Grace" }], authorApproval: { id: "a", name: "Ada" } })).toBe(
      "production needs 2 approvals of support-triage v3 from someone other than its author; it has 1 (Grace; Ada's own approval does not count).",
    );
  });
});

describe("the protected labels setting", () => {
  it("parses the stored list and refuses a corrupt one instead of unprotecting production", () => {
    expect(parseProtectedLabels([{ name: "production", approvals: 1 }])).toEqual([{ name: "production", approvals: 1 }]);
    expect(() => parseProtectedLabels([{ name: "production" }])).toThrow(/protected labels setting is not valid/);
    expect(protectedLabelList.safeParse([{ name: "production", approvals: 1 }, { name: "production", approvals: 2 }]).error?.issues[0]?.message).toBe("\"production\" is listed twice");
    expect(protectedLabelList.safeParse([{ name: "Prod!", approvals: 1 }]).success).toBe(false);
  });
});

describe("review inputs", () => {
  it("reads a comparison as the compare URL names it", () => {
    expect(evidenceInput.parse({ type: "comparison", id: "variants=a,b" })).toEqual({ type: "comparison", id: ["a", "b"] });
    expect(evidenceInput.parse({ type: "comparison", id: "?variants=a, b" })).toEqual({ type: "comparison", id: ["a", "b"] });
    expect(evidenceInput.safeParse({ type: "comparison", id: "a" }).error?.issues[0]?.message).toBe("choose at least two variants to compare");
    expect(evidenceInput.safeParse({ type: "suite", id: "a" }).success).toBe(false);
  });

  it("needs reviewers, and a comment when requesting changes", () => {
    expect(requestReviewInput.safeParse({ versionId: "v", reviewerIds: [] }).error?.issues[0]).toMatchObject({ path: ["reviewerIds"], message: "pick at least one reviewer" });
    expect(decisionInput.safeParse({ verdict: "changes_requested", comment: " " }).error?.issues[0]).toMatchObject({ path: ["comment"], message: "say what has to change" });
    expect(decisionInput.parse({ verdict: "approved" })).toEqual({ verdict: "approved", comment: "" });
    expect(decisionInput.safeParse({ verdict: "maybe" }).success).toBe(false);
  });
});
