import { withWorkspace } from "@/lib/http/with-workspace";
import { changeRoleHandler, removeMemberHandler } from "@/lib/members/handlers";

export const PATCH = withWorkspace(changeRoleHandler, { action: "member.manage" });
// Any member may leave (DELETE /api/members/me); removing someone else checks member.manage in removeMember.
export const DELETE = withWorkspace(removeMemberHandler, { action: "workspace.read" });
