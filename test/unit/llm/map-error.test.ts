import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/errors.ts";
import { mapError, parseRetryAfter, providerDetail } from "../../../lib/llm/map-error.ts";
import rateLimitBody from "../../fixtures/openai/errors/rate-limit.json" with { type: "json" };
import contextBody from "../../fixtures/openai/errors/context-length-exceeded.json" with { type: "json" };
import authBody from "../../fixtures/openai/errors/invalid-api-key.json" with { type: "json" };
import serverBody from "../../fixtures/openai/errors/server-error.json" with { type: "json" };
import notFoundBody from "../../fixtures/openai/errors/model-not-found.json" with { type: "json" };

function apiError(status: number, body: unknown, headers: Record<string, string> = {}) {
  return APIError.generate(status, body as object, undefined, new Headers(headers));
}

describe("mapError", () => {
  it("keeps OpenAI's own words, code and type for a rate limit and reads Retry-After in seconds", () => {
    const error = mapError(apiError(429, rateLimitBody, { "retry-after": "20" }), { bodyText: JSON.stringify(rateLimitBody) });
    expect(error).toEqual({
      kind: "rate_limit",
      status: 429,
      code: "rate_limit_exceeded",
      type: "requests",
      message: rateLimitBody.error.message,
      retryAfterMs: 20_000,
    });
  });

  it.each([
    [400, contextBody, "context_length", "context_length_exceeded"],
    [401, authBody, "auth", "invalid_api_key"],
    [404, notFoundBody, "not_found", "model_not_found"],
    [500, serverBody, "server", undefined],
  ] as const)("maps HTTP %i to %s", (status, body, kind, code) => {
    const error = mapError(apiError(status, body), { bodyText: JSON.stringify(body) });
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toBe(body.error.message);
  });

  it("says a 2xx body that is not JSON is not JSON, without quoting the page it got", () => {
    let thrown: unknown;
    try {
      JSON.parse("<!DOCTYPE html><html><title>Internal admin</title>");
    } catch (error) {
      thrown = error;
    }
    expect(mapError(thrown, { contentType: "text/html; charset=utf-8" })).toEqual({
      kind: "invalid_response",
      message: "The server sent data that is not valid JSON (text/html).",
    });
  });

  it("recognises a context overflow described only in words (vLLM's flat error object)", () => {
    const body = {
      object: "error",
      message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
      type: "BadRequestError",
      param: null,
      code: 400,
    };
    const error = mapError(apiError(400, body), { bodyText: JSON.stringify(body), contentType: "application/json" });
    expect(error.kind).toBe("context_length");
    expect(error.message).toBe(body.message);
  });

  it("keeps the words of error envelopes the SDK drops: Ollama's string error, Gemini's array", () => {
    expect(mapError(apiError(404, { error: "model 'llama9' not found" }), { bodyText: '{"error":"model \'llama9\' not found"}' }).message)
      .toBe("model 'llama9' not found");
    const gemini = [{ error: { code: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT" } }];
    expect(providerDetail(gemini)).toEqual({ message: "API key not valid. Please pass a valid API key.", code: "INVALID_ARGUMENT", type: undefined });
  });

  // Error bodies are an SSRF oracle: a base URL pointed at an internal service must not read its pages back.
  it("summarizes an HTML error page by status, content type and length, never echoing its title or markup", () => {
    const page = `<html><head><title>Intranet admin</title></head><body>${"x".repeat(1_166)}</body></html>`;
    expect(Buffer.byteLength(page)).toBe(1_234);
    const error = mapError(apiError(502, undefined), { bodyText: page, contentType: "text/html; charset=utf-8" });
    expect(error).toEqual({ kind: "server", status: 502, message: "The server answered with no OpenAI-style error (HTTP 502, text/html, 1,234 bytes)." });
  });

  it("summarizes JSON that is not an error envelope (FastAPI's detail, a bare message) and plain text instead of echoing it", () => {
    const fastapi = JSON.stringify({ detail: [{ loc: ["body", "messages"], msg: "field required", type: "value_error.missing" }] });
    expect(mapError(apiError(422, JSON.parse(fastapi)), { bodyText: fastapi, contentType: "application/json" })).toEqual({
      kind: "bad_request",
      status: 422,
      message: "The server answered with no OpenAI-style error (HTTP 422, application/json, 92 bytes).",
    });
    const internal = JSON.stringify({ message: "db password is hunter2" });
    expect(mapError(apiError(500, JSON.parse(internal)), { bodyText: internal, contentType: "application/json" }).message).toBe(
      "The server answered with no OpenAI-style error (HTTP 500, application/json, 36 bytes).",
    );
    expect(mapError(apiError(503, undefined), { bodyText: "upstream connect error", contentType: "text/plain" }).message).toBe(
      "The server answered with no OpenAI-style error (HTTP 503, text/plain, 22 bytes).",
    );
    expect(mapError(apiError(500, undefined), { bodyText: "" }).message).toBe("The server answered with no OpenAI-style error (HTTP 500, no body).");
  });

  it("reports a redirect as an error that names where it points and is not retried", () => {
    const error = mapError(apiError(302, undefined, { location: "https://api.example.com/v1/models" }), { bodyText: "", contentType: "text/html" });
    expect(error).toEqual({
      kind: "bad_request",
      status: 302,
      message:
        "The server answered HTTP 302, a redirect to https://api.example.com/v1/models; Assay does not follow redirects for API calls, so put the final address in the base URL.",
    });
  });

  it("maps a refusal of the outbound policy, wrapped by fetch and the SDK, to a bad request in the policy's words", () => {
    const refusal = new AppError("bad_request", "outbound", "169.254.169.254 is a cloud metadata address (refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it)");
    const wrapped = new APIConnectionError({ message: "Connection error.", cause: new TypeError("fetch failed", { cause: refusal }) });
    expect(mapError(wrapped, { baseURL: "http://169.254.169.254/v1" })).toEqual({ kind: "bad_request", code: "outbound_policy", message: refusal.message });
  });

  it("tells timeouts, cancellations, unreachable hosts and cut streams apart", () => {
    expect(mapError(new APIConnectionTimeoutError(), { timeoutMs: 10_000 })).toEqual({ kind: "timeout", message: "No answer within 10 s." });
    expect(mapError(new APIUserAbortError(), { timedOut: true, timeoutMs: 1500, streamStarted: true }).message).toBe(
      "The response stalled: no new data within 1.50 s.",
    );
    expect(mapError(new APIUserAbortError(), { cancelled: true }).kind).toBe("cancelled");
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const connection = new APIConnectionError({ message: "Connection error.", cause: new TypeError("fetch failed", { cause: refused }) });
    expect(mapError(connection, { baseURL: "http://127.0.0.1:9/v1" })).toEqual({
      kind: "network",
      message: "Could not reach 127.0.0.1:9 (ECONNREFUSED).",
    });
    const terminated = new TypeError("terminated", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    expect(mapError(terminated, { streamStarted: true })).toEqual({
      kind: "stream_cut",
      message: "The connection closed before the response finished (UND_ERR_SOCKET: other side closed).",
    });
  });

  it("maps an error event inside a stream by its code", () => {
    const inStream = new APIError(undefined, { message: "Rate limit exceeded", code: "rate_limit_exceeded" }, undefined, undefined);
    expect(mapError(inStream, { streamStarted: true })).toMatchObject({ kind: "rate_limit", message: "Rate limit exceeded" });
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  it("prefers retry-after-ms, then seconds, then an HTTP date", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250", "retry-after": "3" }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after": "1.5" }), now)).toBe(1500);
    expect(parseRetryAfter(new Headers({ "retry-after": "Sun, 01 Jun 2025 12:00:30 GMT" }), now)).toBe(30_000);
  });
  it("gives nothing for a missing or unreadable header, and never a negative wait", () => {
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "Sun, 01 Jun 2025 11:00:00 GMT" }), now)).toBe(0);
  });
});
