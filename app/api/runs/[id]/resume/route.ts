import { withWorkspace } from "@/lib/http/with-workspace";
import { resumeRun } from "@/lib/runs/service";

export const POST = withWorkspace<{ id: string }>(async ({ member, params }) => resumeRun(member.workspace.id, params.id, { actorId: member.user.id }), {
  action: "model.call",
});
