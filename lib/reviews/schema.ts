import { z } from "zod";
import { variantList } from "../compare/schema.ts";

// Inputs of the review routes, shared with the CLI-free forms on the prompt and review pages.

const id = z.string().trim().min(1).max(100);

/** Evidence a review points at: a run, or a comparison named as the compare URL names it ("a,b" or "variants=a,b"). */
export const evidenceInput = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("run"), id }),
  z.strictObject({
    type: z.literal("comparison"),
    // What the compare URL says: "a,b", "variants=a,b" or "?variants=a,b", or the ids as an array.
    id: z.preprocess((value) => (typeof value === "string" ? value.trim().replace(/^\??variants=/, "") : value), variantList),
  }),
]);
export type EvidenceInput = z.input<typeof evidenceInput>;

export const REVIEW_TITLE_MAX = 200;
export const REVIEW_DESCRIPTION_MAX = 20_000;
export const DECISION_COMMENT_MAX = 20_000;

export const requestReviewInput = z.strictObject({
  versionId: id,
  reviewerIds: z.array(id).min(1, "pick at least one reviewer").max(20, "at most 20 reviewers"),
  evidence: evidenceInput.nullish(),
  title: z.string().trim().max(REVIEW_TITLE_MAX, `at most ${REVIEW_TITLE_MAX} characters`).default(""),
  description: z.string().max(REVIEW_DESCRIPTION_MAX, `at most ${REVIEW_DESCRIPTION_MAX} characters`).default(""),
});
export type RequestReviewInput = z.input<typeof requestReviewInput>;

export const decisionInput = z
  .strictObject({
    verdict: z.enum(["approved", "changes_requested"], "verdict: approved or changes_requested"),
    comment: z.string().max(DECISION_COMMENT_MAX, `at most ${DECISION_COMMENT_MAX} characters`).default(""),
  })
  .refine((value) => value.verdict === "approved" || value.comment.trim() !== "", {
    path: ["comment"],
    message: "say what has to change",
  });
export type DecisionInput = z.input<typeof decisionInput>;

/** The newer version, and optionally new evidence for it (a run or comparison of the new version); null removes it. */
export const rerequestInput = z.strictObject({ versionId: id, evidence: evidenceInput.nullish() });
export type RerequestInput = z.input<typeof rerequestInput>;

export const reviewListQuery = z.object({
  promptId: id.optional(),
  state: z.enum(["open", "approved", "changes_requested", "closed", "active"]).optional(),
  /** "review": asked of me; "author": requested by me */
  mine: z.enum(["review", "author"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ReviewListQuery = z.input<typeof reviewListQuery>;
