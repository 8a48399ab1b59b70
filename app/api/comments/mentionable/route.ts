import { withWorkspace } from "@/lib/http/with-workspace";
import { listMentionable } from "@/lib/comments/members";

// GET: the workspace's members with the handle the comment box completes "@" to (every member may mention anyone).
export const GET = withWorkspace(async ({ member }) => ({
  members: (await listMentionable(member.workspace.id)).map(({ id, name, handle }) => ({ id, name, handle })),
}), { action: "workspace.read" });
