import { SSE_HEADERS } from "@/lib/playground/sse";
import { sharedRunEvents } from "@/lib/share-links/content";
import { withShareLink } from "@/lib/share-links/with-share-link";

export const dynamic = "force-dynamic";

// GET /api/s/<token>/runs/<id>/events — the shared run's live progress (server-sent events), as the run page has it.
export const GET = withShareLink<{ token: string; id: string }>(async ({ request, link, params }) => {
  const stream = await sharedRunEvents(link, params.id, request.signal);
  return new Response(stream, { headers: SSE_HEADERS });
});
