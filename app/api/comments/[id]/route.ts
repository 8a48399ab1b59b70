import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { updateCommentInput } from "@/lib/comments/schema";
import { deleteComment, updateComment } from "@/lib/comments/service";

// PATCH { body }: the author edits (marked edited). DELETE: the author, or an admin (comment.moderate), deletes.
export const PATCH = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const input = await readJson(request, updateCommentInput);
  return { comment: await updateComment(member, params.id, input) };
}, { action: "comment.write" });

export const DELETE = withWorkspace<{ id: string }>(async ({ member, params }) => {
  await deleteComment(member, params.id);
}, { action: "comment.write" });
