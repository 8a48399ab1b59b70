import { withWorkspace } from "@/lib/http/with-workspace";
import { currentWorkspaceHandler, updateWorkspaceHandler } from "@/lib/workspaces/handlers";

export const GET = withWorkspace(currentWorkspaceHandler, { action: "workspace.read" });
export const PATCH = withWorkspace(updateWorkspaceHandler, { action: "workspace.settings" });
