import { withWorkspace } from "@/lib/http/with-workspace";
import { pairQuery } from "@/lib/compare/schema";
import { nextReviewItem } from "@/lib/compare/votes";

// GET /api/votes/next?a=<variant>&b=<variant> — a random case you have not voted on, sides in random order.
// Viewers vote too (vote.cast); a case is handed out only to those who may vote on it.
export const GET = withWorkspace(
  async ({ request, member }) => {
    const query = new URL(request.url).searchParams;
    const { a, b } = pairQuery.parse({ a: query.get("a") ?? "", b: query.get("b") ?? "" });
    return { item: await nextReviewItem(member.workspace.id, member.user.id, a, b) };
  },
  { action: "vote.cast" },
);
