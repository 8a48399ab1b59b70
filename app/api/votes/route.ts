import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { recordVoteInput } from "@/lib/compare/schema";
import { recordVote } from "@/lib/compare/votes";

// POST /api/votes — a reviewer's blind vote: which side they preferred and which variant was shown on the left.
export const POST = withWorkspace(async ({ request, member }) => {
  const vote = await recordVote(member.workspace.id, member.user.id, await readJson(request, recordVoteInput));
  return Response.json(vote, { status: 201 });
}, { action: "vote.cast" });
