import { withWorkspace } from "@/lib/http/with-workspace";
import { setSharePolicyHandler } from "@/lib/workspaces/handlers";

export const PATCH = withWorkspace(setSharePolicyHandler, { action: "shareLink.manage" });
