import { messageOf } from "../errors.ts";

// Server-sent events out of a route handler: one writer, JSON data, and headers that stop proxies and compression from
// holding events back.
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
} as const;

const encoder = new TextEncoder();

export function sseEvent(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export interface SseWriter {
  send(event: string, data: unknown): void;
  close(): void;
  /** aborted once the client has gone (the stream was cancelled, or a write found it closed): stop working then */
  readonly gone: AbortSignal;
}

export interface SseStreamOptions {
  /** names the route in the log line when `start` throws, e.g. "POST /api/playground/run" */
  context: string;
  /** where a thrown error is logged (default console.error); never given keys, only the error */
  log?: (message: string, error: unknown) => void;
}

/**
 * A stream and its writer; writes after the client left are dropped. An error thrown by `start` is never lost: it is
 * logged with the route's context and sent as an `error` event (the client shows it), then the stream closes.
 */
export function createSseStream(start: (writer: SseWriter) => Promise<void>, options: SseStreamOptions): ReadableStream<Uint8Array> {
  const log = options.log ?? ((message: string, error: unknown) => console.error(message, error));
  // A client that disconnects cancels the stream; `gone` tells a long-running `start` (a polling loop) to stop, so
  // streams of pages closed long ago do not keep querying the database.
  const gone = new AbortController();
  return new ReadableStream<Uint8Array>({
    cancel() {
      gone.abort();
    },
    async start(controller) {
      let open = true;
      const writer: SseWriter = {
        gone: gone.signal,
        send(event, data) {
          if (!open) return;
          try {
            controller.enqueue(sseEvent(event, data));
          } catch {
            // enqueue throws only once the stream is closed or cancelled: the client left, and later events have
            // nobody to go to, which is what "dropped" above means.
            open = false;
            gone.abort();
          }
        },
        close() {
          if (!open) return;
          open = false;
          controller.close();
        },
      };
      try {
        await start(writer);
      } catch (error) {
        log(`${options.context}: the event stream failed:`, error);
        writer.send("error", { message: messageOf(error) });
      } finally {
        writer.close();
      }
    },
  });
}
