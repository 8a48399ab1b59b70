import { withWorkspace } from "@/lib/http/with-workspace";
import { listResultsQuery } from "@/lib/runs/schema";
import { listResults } from "@/lib/runs/service";

export const dynamic = "force-dynamic";

// ?offset=0&limit=100&filter=all|failures|errors|disagree&search=text
export const GET = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const query = listResultsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return listResults(member.workspace.id, params.id, query);
}, { action: "workspace.read" });
