import { withWorkspace } from "@/lib/http/with-workspace";
import { setProtectedLabelsHandler } from "@/lib/workspaces/handlers";

export const PUT = withWorkspace(setProtectedLabelsHandler, { action: "workspace.settings" });
