import { withWorkspace } from "@/lib/http/with-workspace";
import { deleteDistillation, getDistillation } from "@/lib/distill/service";

export const dynamic = "force-dynamic";

// GET /api/distillations/:id → DistillationView (with the whole loss curve and the report); DELETE → 204: the
// distillation and its student (row and file in the models folder) are removed; a running one is cancelled first.
export const GET = withWorkspace<{ id: string }>(async ({ member, params }) => getDistillation(member.workspace.id, params.id), { action: "workspace.read" });

export const DELETE = withWorkspace<{ id: string }>(async ({ member, params }) => {
  await deleteDistillation(member.workspace.id, params.id);
}, { action: "localModel.manage" });
