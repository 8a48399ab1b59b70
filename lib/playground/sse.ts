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
}

/** A stream and its writer; writes after the client left are dropped. */
export function createSseStream(start: (writer: SseWriter) => Promise<void>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const writer: SseWriter = {
        send(event, data) {
          if (!open) return;
          try {
            controller.enqueue(sseEvent(event, data));
          } catch {
            open = false;
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
        writer.send("error", { message: error instanceof Error ? error.message : String(error) });
      } finally {
        writer.close();
      }
    },
  });
}
