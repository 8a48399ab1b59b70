import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { createSseStream } from "../playground/sse.ts";
import { runProgress } from "./progress.ts";
import { ENDED } from "./wait.ts";

// GET /api/runs/[id]/events: `run-progress` whenever the counts change (checked twice a second), then `run-finished`
// when the run ends, and the stream closes. A comment line every 15 s keeps proxies from closing a quiet stream.

const INTERVAL_MS = 500;
const KEEPALIVE_MS = 15_000;

export async function runEvents(workspaceId: string, runId: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const run = await db.run.findFirst({ where: { id: runId, workspaceId }, select: { id: true } });
  if (!run) throw new AppError("not_found", "run", "No such run in this workspace.");
  return createSseStream(async (writer) => {
    // The request's signal, or the stream's own: whichever says first that the client has gone ends the loop.
    const stop = AbortSignal.any([signal, writer.gone]);
    let last = "";
    let lastSent = Date.now();
    while (!stop.aborted) {
      const progress = await runProgress(runId);
      const key = `${progress.status}/${progress.done}/${progress.errors}/${progress.retries}`;
      if (key !== last || Date.now() - lastSent > KEEPALIVE_MS) {
        writer.send("run-progress", progress);
        last = key;
        lastSent = Date.now();
      }
      if (ENDED.has(progress.status)) {
        writer.send("run-finished", progress);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
  }, { context: `GET /api/runs/${runId}/events` });
}
