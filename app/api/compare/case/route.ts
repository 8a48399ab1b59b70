import { withWorkspace } from "@/lib/http/with-workspace";
import { caseDetailQuery } from "@/lib/compare/schema";
import { getCaseDetail } from "@/lib/compare/service";

// GET /api/compare/case?variants=a,b&key=<case key> — one case in full: outputs, assertions, errors, every repeat.
export const GET = withWorkspace(async ({ request, member }) => {
  const query = new URL(request.url).searchParams;
  const { variants, key } = caseDetailQuery.parse({ variants: query.get("variants") ?? "", key: query.get("key") ?? "" });
  return getCaseDetail(member.workspace.id, variants, key);
}, { action: "workspace.read" });
