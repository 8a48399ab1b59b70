import { withWorkspace, readJson } from "@/lib/http/with-workspace";
import { runJudge } from "@/lib/compare/judge";
import { judgeInput } from "@/lib/compare/schema";
import { createSseStream, SSE_HEADERS } from "@/lib/playground/sse";

// POST /api/compare/judge — judges the pair in both orders, streaming progress as server-sent events
// ("progress" while it runs, then "done"). Closing the connection stops it; judged cases stay stored.
export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, judgeInput);
  const stream = createSseStream(async (writer) => {
    const result = await runJudge(member.workspace.id, member.user.id, input, {
      signal: request.signal,
      onProgress: (progress) => writer.send("progress", progress),
    });
    writer.send("done", result);
  }, { context: "POST /api/compare/judge" });
  return new Response(stream, { headers: SSE_HEADERS });
}, { action: "model.call" });
