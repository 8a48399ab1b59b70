import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createPrunedVersion } from "@/lib/prune/draft";
import { prunedDraftInput } from "@/lib/prune/schema";

// POST /api/prunings/draft — saves the pruned prompt (the kept examples and counterexamples) as a new version.
export const POST = withWorkspace(async ({ request, member }) => {
  const version = await createPrunedVersion(member.workspace.id, member.user.id, await readJson(request, prunedDraftInput));
  return Response.json(version, { status: 201 });
}, { action: "prompt.edit" });
