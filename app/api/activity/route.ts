import { listActivity } from "@/lib/activity/feed";
import { withWorkspace } from "@/lib/http/with-workspace";

export const dynamic = "force-dynamic";

export const GET = withWorkspace(async ({ request, member }) => listActivity(member.workspace.id, Object.fromEntries(new URL(request.url).searchParams)), {
  action: "workspace.read",
});
