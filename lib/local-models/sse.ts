import type { ServerResponse } from "node:http";

// Server-sent events as OpenAI streams them: `data: <json>` per event, then `data: [DONE]`.

export class SseWriter {
  private started = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly log: (...parts: unknown[]) => void = console.error,
  ) {}

  get open(): boolean {
    return !this.response.writableEnded && !this.response.destroyed;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // Headers go out now, so the client's time to first byte is not the time to the first token.
    this.response.flushHeaders();
  }

  get headersSent(): boolean {
    return this.started;
  }

  send(data: unknown): void {
    if (!this.open) return;
    this.start();
    this.response.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /**
   * A failure after the status line went out: OpenAI reports it as an error event, then the stream ends. Logged here,
   * since the client may be gone and no one else sees it.
   */
  fail(error: unknown, context: string): void {
    const message = error instanceof Error ? error.message : String(error);
    this.log(`[serve-model] ${context}: failed mid-stream:`, error);
    this.send({ error: { message, type: "server_error", param: null, code: "generation_failed" } });
    this.end();
  }

  end(): void {
    if (!this.open) return;
    this.start();
    this.response.end("data: [DONE]\n\n");
  }
}
