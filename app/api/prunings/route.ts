import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { prunePrompt } from "@/lib/prune/prune";
import { pruneInput } from "@/lib/prune/schema";

// POST /api/prunings — removes a version's examples one at a time while the pass rate holds (ordinary runs, one per
// round) and answers with the smallest set found, the savings and the evidence at each step.
export const POST = withWorkspace(async ({ request, member }) => {
  const report = await prunePrompt(member.workspace.id, member.user.id, await readJson(request, pruneInput));
  return Response.json(report, { status: 200 });
}, { action: "model.call" });
