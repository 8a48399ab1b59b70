import { withWorkspace } from "@/lib/http/with-workspace";
import { searchCases } from "@/lib/compare/outputs";
import { searchQuery } from "@/lib/compare/schema";

// GET /api/compare/search?variants=a,b&q=text — keys of the cases whose key, input or outputs contain the text.
export const GET = withWorkspace(async ({ request, member }) => {
  const query = new URL(request.url).searchParams;
  const { variants, q } = searchQuery.parse({ variants: query.get("variants") ?? "", q: query.get("q") ?? "" });
  return { keys: await searchCases(member.workspace.id, variants, q) };
}, { action: "workspace.read" });
