import type { Prisma } from "../db.ts";
import { createComment, type CommentActor } from "../comments/service.ts";

// A reviewer's decision comment is an ordinary comment on the version (it shows in the version's thread) that
// carries the review id, written through the one comment writer: the same size cap, markdown and mentions (a member
// mentioned in a decision is notified; an unknown @name refuses the decision, nothing stored).

export async function createDecisionComment(
  transaction: Prisma.TransactionClient,
  actor: CommentActor,
  input: { versionId: string; reviewId: string; body: string },
): Promise<string> {
  const created = await createComment(actor, { targetType: "version", targetId: input.versionId, body: input.body, reviewId: input.reviewId }, transaction);
  return created.id;
}
