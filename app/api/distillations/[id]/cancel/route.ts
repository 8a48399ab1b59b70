import { withWorkspace } from "@/lib/http/with-workspace";
import { cancelDistillation } from "@/lib/distill/service";

export const dynamic = "force-dynamic";

// POST /api/distillations/:id/cancel → DistillationView. Collecting: the teacher run is cancelled; training: the job
// stops at its next epoch and registers no student. A finished distillation is a 409.
export const POST = withWorkspace<{ id: string }>(
  async ({ member, params }) => cancelDistillation(member.workspace.id, params.id, member.user.id),
  { action: "model.call" },
);
