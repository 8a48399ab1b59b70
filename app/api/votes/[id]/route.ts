import { withWorkspace } from "@/lib/http/with-workspace";
import { deleteVote } from "@/lib/compare/votes";

// DELETE /api/votes/<id> — withdraw one of your own votes (undo in the review screen).
export const DELETE = withWorkspace<{ id: string }>(async ({ member, params }) => {
  await deleteVote(member.workspace.id, member.user.id, params.id);
}, { action: "vote.cast" });
