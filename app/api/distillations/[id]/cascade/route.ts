import { readJsonValue } from "@/lib/http/read-body";
import { withWorkspace } from "@/lib/http/with-workspace";
import { setCascadeThreshold } from "@/lib/distill/service";
import type { CascadeThresholdInput } from "@/lib/distill/schema";

export const dynamic = "force-dynamic";

// PUT /api/distillations/:id/cascade { threshold } | { targetAgreement } → DistillationView: the cascade's threshold
// (Student.cascadeThreshold) and report.cascade recomputed from the stored coverage–agreement curve.
export const PUT = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const input = (await readJsonValue(request)) as CascadeThresholdInput;
  return setCascadeThreshold(member.workspace.id, params.id, input);
}, { action: "model.call" });
