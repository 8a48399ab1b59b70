import { withWorkspace } from "@/lib/http/with-workspace";
import { inboxEvents } from "@/lib/inbox/stream";
import { SSE_HEADERS } from "@/lib/playground/sse";

export const dynamic = "force-dynamic";

// Server-sent events: `inbox-count` { unread } now and on every change, until the client leaves.
export const GET = withWorkspace(async ({ request, member }) => new Response(inboxEvents(member, request.signal), { headers: SSE_HEADERS }), {
  action: "workspace.read",
});
