import { withWorkspace } from "@/lib/http/with-workspace";
import { materializeShadowComparison } from "@/lib/releases/shadow-compare";

// POST /api/releases/:id/shadow-comparison — materializes the release's latest shadow pairs (up to 2,000) as a suite
// and a finished run, and answers { runId, variantIds, url } for the compare screen (url is workspace-relative).
// It writes a suite, hence suite.edit.
export const POST = withWorkspace<{ id: string }>(
  async ({ member, params }) => Response.json(await materializeShadowComparison(member.workspace.id, member.user.id, params.id), { status: 201 }),
  { action: "suite.edit" },
);
