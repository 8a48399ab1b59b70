import { withWorkspace } from "@/lib/http/with-workspace";
import { listPromptCalls } from "@/lib/playground/history";

export const GET = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const query = new URL(request.url).searchParams;
  return listPromptCalls(member.workspace.id, params.id, { versionId: query.get("versionId"), model: query.get("model") });
}, { action: "workspace.read" });
