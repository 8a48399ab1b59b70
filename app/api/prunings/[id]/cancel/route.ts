import { withWorkspace } from "@/lib/http/with-workspace";
import { cancelPruning } from "@/lib/prune/jobs";

// Stops a running pruning: its current run is cancelled through the run engine and the pruning ends "cancelled".
export const POST = withWorkspace<{ id: string }>(async ({ member, params }) => cancelPruning(member.workspace.id, params.id, member.user.id), { action: "model.call" });
