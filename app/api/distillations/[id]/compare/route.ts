import { readJsonValue } from "@/lib/http/read-body";
import { withWorkspace } from "@/lib/http/with-workspace";
import { compareDistillation } from "@/lib/distill/service";
import type { CompareDistillationInput } from "@/lib/distill/schema";

export const dynamic = "force-dynamic";

// POST /api/distillations/:id/compare { against: "student" | "cascade" } → 201 { runId, comparePath }: a run of the
// teacher vs student:<name> (or cascade:<name>) on the held-out cases; the compare screen is
// /w/<slug><comparePath> (comparePath = /compare?variants=<teacher variant>,<student variant>).
export const POST = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const input = (await readJsonValue(request)) as CompareDistillationInput;
  const created = await compareDistillation(member.workspace.id, params.id, member.user.id, input);
  return Response.json(created, { status: 201, headers: { "cache-control": "no-store" } });
}, { action: "model.call" });
