import { withWorkspace } from "@/lib/http/with-workspace";
import { countCaseComments } from "@/lib/comments/service";

// GET ?targetType=run|comparison&targetId=…: comments per case, for the badges in case lists.
export const GET = withWorkspace(async ({ request, member }) => {
  const query = new URL(request.url).searchParams;
  return { cases: await countCaseComments(member, { targetType: query.get("targetType") ?? "", targetId: query.get("targetId") ?? "" }) };
}, { action: "workspace.read" });
