import { withWorkspace } from "@/lib/http/with-workspace";
import { listInbox } from "@/lib/inbox/service";

// GET [?unread=true&limit=50&before=<id>]: my inbox in this workspace, newest first, with the unread count.
export const GET = withWorkspace(async ({ request, member }) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return listInbox(member, query);
}, { action: "workspace.read" });
