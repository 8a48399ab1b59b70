import { withWorkspace } from "@/lib/http/with-workspace";
import { pairQuery } from "@/lib/compare/schema";
import { preferenceSummary } from "@/lib/compare/votes";

// GET /api/votes/summary?a=<baseline>&b=<variant> — win rates of b over a, by people and by each judge.
export const GET = withWorkspace(async ({ request, member }) => {
  const query = new URL(request.url).searchParams;
  const { a, b } = pairQuery.parse({ a: query.get("a") ?? "", b: query.get("b") ?? "" });
  return preferenceSummary(member.workspace.id, a, b);
}, { action: "workspace.read" });
