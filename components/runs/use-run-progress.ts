"use client";
import { useEffect, useState } from "react";
import { readServerEvents } from "@/lib/ui/sse";
import { isActive, type RunProgress } from "./types";
import { MEMBER_API, workspaceHeaders } from "@/lib/ui/api";

function isProgress(value: unknown): value is RunProgress {
  const candidate = value as Partial<RunProgress> | null;
  return typeof candidate === "object" && candidate !== null && typeof candidate.done === "number" && typeof candidate.total === "number" && typeof candidate.status === "string";
}

/**
 * The run's live progress from GET /api/runs/[id]/events (SSE). Reconnects with backoff while the run is queued or
 * running, and stops once it has ended. `restartKey` reopens the stream (after a resume).
 */
export function useRunProgress(runId: string, initial: RunProgress, restartKey = 0, apiBase = MEMBER_API): { progress: RunProgress; connected: boolean } {
  const [progress, setProgress] = useState(initial);
  const [connected, setConnected] = useState(false);
  const initialActive = isActive(initial.status);

  useEffect(() => {
    if (!initialActive && restartKey === 0) return;
    const controller = new AbortController();
    let ended = false;
    let attempt = 0;

    async function connect(): Promise<void> {
      while (!ended && !controller.signal.aborted) {
        try {
          const response = await fetch(`${apiBase}/runs/${runId}/events`, { signal: controller.signal, headers: workspaceHeaders({ accept: "text/event-stream" }) });
          if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
          setConnected(true);
          attempt = 0;
          for await (const event of readServerEvents(response.body)) {
            // The server's progress loop failed (it logged why): treat it as a dropped stream and reconnect.
            if (event.event === "error") throw new Error(event.data);
            let data: unknown;
            try {
              data = JSON.parse(event.data);
            } catch {
              // Not JSON: not an event this hook knows; the next progress event carries the full counts anyway.
              continue;
            }
            // The engine names its events; any event carrying progress counts, whatever its name.
            const next = isProgress(data) ? data : isProgress((data as { progress?: unknown } | null)?.progress) ? (data as { progress: RunProgress }).progress : null;
            if (!next) continue;
            setProgress(next);
            if (!isActive(next.status)) ended = true;
          }
        } catch {
          // A dropped stream (server restart, network) is expected while a run is long: reconnect below.
          if (controller.signal.aborted) return;
        }
        setConnected(false);
        if (ended || controller.signal.aborted) return;
        attempt += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * 2 ** attempt)));
      }
    }
    void connect();
    return () => {
      ended = true;
      controller.abort();
    };
  }, [runId, initialActive, restartKey, apiBase]);

  return { progress, connected };
}
