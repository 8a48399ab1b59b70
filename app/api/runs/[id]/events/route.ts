import { withWorkspace } from "@/lib/http/with-workspace";
import { SSE_HEADERS } from "@/lib/playground/sse";
import { runEvents } from "@/lib/runs/events";

export const dynamic = "force-dynamic";

// Server-sent events: run-progress while the run goes on, run-finished when it ends; then the stream closes.
export const GET = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const stream = await runEvents(member.workspace.id, params.id, request.signal);
  return new Response(stream, { headers: SSE_HEADERS });
}, { action: "workspace.read" });
