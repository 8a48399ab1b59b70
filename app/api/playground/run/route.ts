import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { startPlaygroundRun } from "@/lib/playground/run";
import { playgroundRunInput } from "@/lib/playground/schema";
import { SSE_HEADERS } from "@/lib/playground/sse";

export const dynamic = "force-dynamic";

// Validation errors answer 400 JSON before the stream starts; after that, events: call-started, text-delta,
// call-finished, run-finished. Closing the request (Stop) aborts the calls in flight.
export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, playgroundRunInput);
  const stream = await startPlaygroundRun(member, input, request.signal);
  return new Response(stream, { headers: SSE_HEADERS });
}, { action: "model.call" });
