import { withWorkspace } from "@/lib/http/with-workspace";
import { getPruning } from "@/lib/prune/jobs";

// A pruning's state, progress (round k of at most n, what the current run tries) and, when done, its report.
export const GET = withWorkspace<{ id: string }>(async ({ member, params }) => getPruning(member.workspace.id, params.id), { action: "workspace.read" });
