import type { Prisma } from "../db.ts";

// A reviewer's decision comment is an ordinary comment on the version (it shows in the version's thread) that
// carries the review id. Area "comments" owns lib/comments/service.ts createComment (mentions, markdown, size cap);
// until that lands on this branch this small writer inserts the row, and the merge switches it to createComment.

export async function createDecisionComment(
  transaction: Pick<Prisma.TransactionClient, "comment">,
  input: { workspaceId: string; authorId: string; versionId: string; reviewId: string; body: string },
): Promise<string> {
  const created = await transaction.comment.create({
    data: {
      workspaceId: input.workspaceId,
      targetType: "version",
      targetId: input.versionId,
      body: input.body,
      authorId: input.authorId,
      reviewId: input.reviewId,
    },
    select: { id: true },
  });
  return created.id;
}
