import type { Member } from "../auth/session.ts";
import { createSseStream } from "../playground/sse.ts";
import { unreadCount } from "./service.ts";

// GET /api/inbox/stream: `inbox-count` { unread } at once and whenever it changes, so the bell updates without a
// reload. One indexed count every 2 s per open stream is cheap next to a websocket layer and needs no pub/sub; a
// comment line every 15 s keeps proxies from closing a quiet stream. The loop ends when the client goes away.

const INTERVAL_MS = 2_000;
const KEEPALIVE_MS = 15_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export function inboxEvents(member: Member, signal: AbortSignal, intervalMs: number = INTERVAL_MS): ReadableStream<Uint8Array> {
  return createSseStream(
    async (writer) => {
      // The request's signal, or the stream's own: whichever says first that the client has gone ends the loop.
      const stop = AbortSignal.any([signal, writer.gone]);
      let last = -1;
      let lastSent = Date.now();
      while (!stop.aborted) {
        const unread = await unreadCount(member.user.id, member.workspace.id);
        if (unread !== last) {
          writer.send("inbox-count", { unread });
          last = unread;
          lastSent = Date.now();
        } else if (Date.now() - lastSent > KEEPALIVE_MS) {
          writer.send("keepalive", {});
          lastSent = Date.now();
        }
        await sleep(intervalMs, stop);
      }
    },
    { context: "GET /api/inbox/stream" },
  );
}
