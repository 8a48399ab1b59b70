import { withWorkspace } from "@/lib/http/with-workspace";
import { getComparison } from "@/lib/compare/service";

// GET /api/compare?variants=<baseline>,<variant>[,…] — every figure of the compare screen, computed once per results.
export const GET = withWorkspace(async ({ request, member }) => {
  const query = new URL(request.url).searchParams;
  return getComparison(member.workspace.id, { variants: query.get("variants") ?? "" });
}, { action: "workspace.read" });
