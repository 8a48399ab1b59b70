import { withWorkspace } from "@/lib/http/with-workspace";
import { getReleaseView } from "@/lib/releases/service";

export const dynamic = "force-dynamic";

// GET /api/releases/:id → ReleaseView: state, stages, timeline, per-arm figures, guards, promotion readiness.
export const GET = withWorkspace<{ id: string }>(async ({ member, params }) => getReleaseView(member.workspace.id, params.id), { action: "workspace.read" });
