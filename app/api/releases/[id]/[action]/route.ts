import { withWorkspace } from "@/lib/http/with-workspace";
import { performReleaseAction } from "@/lib/releases/actions";

// POST /api/releases/:id/{start|pause|resume|advance|rollback|promote|stop} with an optional body
// { reason?: "note for the timeline", arm?: "candidate-2" (promote, A/B) } → the release's ReleaseView.
// Another action is a 404; an action the state does not allow is a 409 naming the state.
export const POST = withWorkspace<{ id: string; action: string }>(
  async ({ request, member, params }) => performReleaseAction(member, params.id, params.action, request),
  { action: "release.manage" },
);
