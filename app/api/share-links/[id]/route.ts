import { withWorkspace } from "@/lib/http/with-workspace";
import { can } from "@/lib/auth/permissions";
import { revokeShareLink } from "@/lib/share-links/service";

// DELETE /api/share-links/:id revokes: one's own link, or any with shareLink.manage. 204.
export const DELETE = withWorkspace<{ id: string }>(
  async ({ member, params }) => revokeShareLink({ workspaceId: member.workspace.id, userId: member.user.id, canManage: can(member.role, "shareLink.manage") }, params.id),
  { action: "shareLink.create" },
);
