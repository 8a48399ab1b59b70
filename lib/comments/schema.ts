import { z } from "zod";
import { formatCount } from "../format.ts";
import { limits } from "../limits.ts";

// Inputs of the comment routes, shared with the comment box (the same cap and messages in the browser and the API).

export const COMMENT_TARGETS = ["version", "run", "comparison"] as const;
export type CommentTargetType = (typeof COMMENT_TARGETS)[number];

const id = z.string().trim().min(1).max(200);
// A comparison key names up to 12 variant ids: longer than one id.
const targetId = z.string().trim().min(1, "which version, run or comparison?").max(2_000);

export const commentBody = z
  .string()
  .trim()
  .min(1, "write something first: a comment cannot be empty")
  .max(limits.commentCharacters, `at most ${formatCount(limits.commentCharacters)} characters`);

export const commentTarget = z.object({
  targetType: z.enum(COMMENT_TARGETS),
  targetId,
  caseId: id.nullish(),
});
export type CommentTargetInput = z.input<typeof commentTarget>;

export const createCommentInput = commentTarget.extend({
  body: commentBody,
  reviewId: id.nullish(),
});
export type CreateCommentInput = z.input<typeof createCommentInput>;

export const updateCommentInput = z.strictObject({ body: commentBody });
export type UpdateCommentInput = z.input<typeof updateCommentInput>;

/** GET /api/comments: one thread (a target, or one case of it); `caseId` absent means the target-wide thread. */
export const listCommentsQuery = commentTarget;

/** GET /api/comments/counts: how many comments each case of a run or comparison has. */
export const commentCountsQuery = z.object({ targetType: z.enum(["run", "comparison"]), targetId });
