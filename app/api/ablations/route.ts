import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createAblation } from "@/lib/compare/ablation";
import { ablationInput } from "@/lib/compare/schema";

// POST /api/ablations — from a prompt version with examples and counterexamples, creates and starts the run
// (zero-shot, examples only, examples + counterexamples, optionally k = 1 … n − 1) and answers with the compare URL.
export const POST = withWorkspace(async ({ request, member }) => {
  const ablation = await createAblation(member.workspace.id, member.user.id, await readJson(request, ablationInput));
  return Response.json(ablation, { status: 201 });
}, { action: "model.call" });
