import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, errorBody, httpStatusOf } from "../../../lib/errors.ts";
import { readJson } from "../../../lib/http/with-workspace.ts";

// A request body is refused with a 413 past ASSAY_MAX_BODY (1 MB by default), before it is parsed.

const anything = z.unknown();

function twoMegabyteJson(): string {
  return JSON.stringify({ text: "x".repeat(2 * 1024 * 1024) });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the body to be refused");
}

describe("request body limit", () => {
  it("refuses a 2 MB JSON body with a declared Content-Length: 413 naming the limit", async () => {
    const body = twoMegabyteJson();
    const request = new Request("http://assay.test/api/prompts", {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
    });
    const error = await failure(readJson(request, anything));
    expect(httpStatusOf(error)).toBe(413);
    expect(errorBody(error).error.code).toBe("payload_too_large");
    expect(error.message).toBe("The request body is larger than 1 MB (ASSAY_MAX_BODY).");
  });

  it("refuses a chunked body without Content-Length once it passes the limit while streaming", async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    // 64 MB if read to the end: the reader must stop at the limit instead.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 1024) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://assay.test/api/prompts", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    const error = await failure(readJson(request, anything));
    expect(httpStatusOf(error)).toBe(413);
    expect(error.message).toBe("The request body is larger than 1 MB (ASSAY_MAX_BODY).");
    expect(sent).toBeLessThan(20);
  });

  it("still reads a body under the limit, and names invalid JSON as such", async () => {
    const ok = new Request("http://assay.test/x", { method: "POST", body: JSON.stringify({ a: 1 }) });
    expect(await readJson(ok, z.object({ a: z.number() }))).toEqual({ a: 1 });
    const bad = new Request("http://assay.test/x", { method: "POST", body: "{nope" });
    const error = await failure(readJson(bad, anything));
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toBe("The request body is not valid JSON.");
  });
});
