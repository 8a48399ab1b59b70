import { withWorkspace } from "@/lib/http/with-workspace";
import { cancelRun } from "@/lib/runs/service";

export const POST = withWorkspace<{ id: string }>(async ({ member, params }) => cancelRun(member.workspace.id, params.id, member.user.id), { action: "run.cancel" });
