import { withWorkspace } from "@/lib/http/with-workspace";
import { dismissStartHere } from "@/lib/workspaces/start-here";

// DELETE: the member closes the "Start here" panel; it stays closed for them in this workspace.
export const DELETE = withWorkspace(async ({ member }) => dismissStartHere(member), { action: "workspace.read" });
