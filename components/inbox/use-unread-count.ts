"use client";
import { useEffect, useState } from "react";
import { workspaceHeaders } from "@/lib/ui/api";
import { readServerEvents } from "@/lib/ui/sse";

// The unread count of my inbox in this workspace, live: GET /api/inbox/stream pushes `inbox-count` when it changes.
// A dropped stream (server restart, network) reconnects after a pause that grows up to 30 s.

export function useUnreadCount(initial: number): number {
  const [unread, setUnread] = useState(initial);
  useEffect(() => {
    const controller = new AbortController();
    let delay = 1_000;
    async function listen() {
      while (!controller.signal.aborted) {
        try {
          const response = await fetch("/api/inbox/stream", { headers: workspaceHeaders(), signal: controller.signal });
          if (!response.ok || !response.body) throw new Error(`inbox stream answered ${response.status}`);
          delay = 1_000;
          for await (const event of readServerEvents(response.body)) {
            if (event.event === "inbox-count") setUnread((JSON.parse(event.data) as { unread: number }).unread);
          }
        } catch (error) {
          if (controller.signal.aborted) return;
          console.warn("[inbox] the live count stream dropped; reconnecting", error);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 30_000);
      }
    }
    void listen();
    return () => controller.abort();
  }, []);
  return unread;
}
