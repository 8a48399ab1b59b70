import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { startPruning } from "@/lib/prune/jobs";
import { pruneInput } from "@/lib/prune/schema";

// POST /api/prunings — starts removing a version's examples one at a time while the pass rate holds (ordinary runs,
// one per round) in the background and answers 202 with the stored pruning; GET /api/prunings/[id] follows its
// progress and gives the report (the smallest set found, the savings and the evidence at each step) when done.
export const POST = withWorkspace(async ({ request, member }) => {
  const pruning = await startPruning(member.workspace.id, member.user.id, await readJson(request, pruneInput));
  return Response.json(pruning, { status: 202 });
}, { action: "model.call" });
