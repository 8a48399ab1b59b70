import { z } from "zod";
import { withWorkspace } from "@/lib/http/with-workspace";
import { exportFormat } from "@/lib/runs/schema";
import { exportResults, getRun } from "@/lib/runs/service";

export const dynamic = "force-dynamic";

const CONTENT_TYPES = { json: "application/json", jsonl: "application/x-ndjson", csv: "text/csv; charset=utf-8" } as const;

// ?format=json|jsonl|csv — streamed a page of cases at a time.
export const GET = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const { format } = z
    .object({ format: exportFormat.default("jsonl") })
    .parse(Object.fromEntries(new URL(request.url).searchParams));
  // Checked before the stream starts, so an unknown run is a 404 and not a broken download.
  await getRun(member.workspace.id, params.id);
  const chunks = exportResults(member.workspace.id, params.id, format);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `attachment; filename="run-${params.id}.${format}"`,
      "cache-control": "no-store",
    },
  });
}, { action: "workspace.read" });
