import { withWorkspace } from "@/lib/http/with-workspace";
import { getRun } from "@/lib/runs/service";

export const dynamic = "force-dynamic";

export const GET = withWorkspace<{ id: string }>(async ({ member, params }) => getRun(member.workspace.id, params.id), { action: "workspace.read" });
