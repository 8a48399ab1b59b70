import { db, Prisma } from "../db.ts";

// One writer for inbox lines (mentions, review requests, review decisions). Call it in the transaction of the change
// that causes it. The actor never notifies themself.

export interface NotifyInput {
  workspaceId: string;
  userIds: readonly string[];
  kind: "mention" | "review_requested" | "review_decided";
  actorId: string | null;
  /** the line the inbox shows, e.g. "Ada requested your review of support-triage v3" */
  summary: string;
  /** workspace-relative page it opens, e.g. "/prompts/<id>?v=3#review-<id>" (the inbox adds /w/<slug>) */
  path: string;
  commentId?: string | null;
  reviewId?: string | null;
}

type Writer = Pick<Prisma.TransactionClient, "notification">;

export async function notify(input: NotifyInput, client: Writer = db): Promise<number> {
  const recipients = [...new Set(input.userIds)].filter((userId) => userId !== input.actorId);
  if (recipients.length === 0) return 0;
  const created = await client.notification.createMany({
    data: recipients.map((userId) => ({
      workspaceId: input.workspaceId,
      userId,
      kind: input.kind,
      actorId: input.actorId,
      summary: input.summary,
      path: input.path,
      commentId: input.commentId ?? null,
      reviewId: input.reviewId ?? null,
    })),
  });
  return created.count;
}
