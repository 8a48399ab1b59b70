import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { outboundRefusalIn } from "../net/outbound-policy.ts";
import type { ProviderError, ProviderErrorKind } from "./types.ts";
import { formatDuration } from "../format.ts";

/** What the caller knew when the error happened; the mapping itself does no I/O. */
export interface ErrorContext {
  /** the response had started (headers arrived), so a break now is a cut stream, not a failed connection */
  streamStarted?: boolean;
  /** our own deadline fired */
  timedOut?: boolean;
  /** the caller's signal aborted */
  cancelled?: boolean;
  timeoutMs?: number;
  baseURL?: string;
  /** body of a non-2xx answer, as received (the SDK drops bodies that lack an `error` key) */
  bodyText?: string;
  contentType?: string | null;
  /** epoch ms, to turn a Retry-After date into a delay */
  now?: number;
}

const MAX_MESSAGE_LENGTH = 1_000;

/** `ProviderError.code` of a call the outbound policy refused. */
export const OUTBOUND_POLICY_CODE = "outbound_policy";

const CONTEXT_LENGTH_WORDS =
  /context[ _-]?length|context window|maximum context|too many tokens|prompt is too long|input is too long|exceeds the (model's )?(maximum|max)/i;

export function mapError(error: unknown, context: ErrorContext = {}): ProviderError {
  // The outbound policy refused the URL or the address it resolved to: the user's setting, not the provider, and the
  // same again on a retry.
  const refusal = outboundRefusalIn(error);
  if (refusal) return { kind: "bad_request", code: OUTBOUND_POLICY_CODE, message: refusal.message };
  if (context.cancelled) return { kind: "cancelled", message: "Cancelled before the response finished." };
  if (context.timedOut || error instanceof APIConnectionTimeoutError) {
    return { kind: "timeout", message: timeoutMessage(context.timeoutMs, context.streamStarted) };
  }
  if (error instanceof APIUserAbortError) return { kind: "cancelled", message: "Cancelled before the response finished." };
  if (error instanceof APIConnectionError) {
    return { kind: "network", message: networkMessage(error.cause ?? error, context.baseURL) };
  }
  if (error instanceof APIError) return mapApiError(error, context);
  if (error instanceof SyntaxError) {
    // The parser's message quotes the start of the body ('Unexpected token '<', "<!DOCTYPE "…'): an internal page's
    // text would be echoed, so only what the body was is said.
    const media = context.contentType?.split(";")[0]?.trim();
    return { kind: "invalid_response", message: `The server sent data that is not valid JSON (${media || "no content type"}).` };
  }
  if (isAbortError(error)) return { kind: "cancelled", message: "Cancelled before the response finished." };
  if (context.streamStarted) {
    return {
      kind: "stream_cut",
      message: `The connection closed before the response finished (${describeCause(error)}).`,
    };
  }
  return { kind: "network", message: networkMessage(error, context.baseURL) };
}

function mapApiError(error: APIError, context: ErrorContext): ProviderError {
  const status = typeof error.status === "number" ? error.status : undefined;
  const body = parseBody(context.bodyText);
  const detail = providerDetail(body) ?? providerDetail({ error: error.error });
  const code = detail?.code ?? stringOrUndefined(error.code);
  const type = detail?.type ?? stringOrUndefined(error.type);
  // Only an error envelope's message is shown; any other body is described, never echoed: a URL pointed at some
  // internal service must not turn Assay into a way to read its pages.
  const message = truncate(
    redirectMessage(status, error.headers) ??
      detail?.message ??
      (status === undefined ? error.message : `The server answered with no OpenAI-style error (${summarizeBody(status, context.contentType, context.bodyText)}).`),
  );
  const kind = kindOf(status, code, type, message);
  const result: ProviderError = { kind, message };
  if (status !== undefined) result.status = status;
  if (code !== undefined) result.code = code;
  if (type !== undefined) result.type = type;
  const retryAfterMs = parseRetryAfter(error.headers, context.now ?? Date.now());
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  return result;
}

export function kindOf(
  status: number | undefined,
  code: string | undefined,
  type: string | undefined,
  message: string,
): ProviderErrorKind {
  const label = `${code ?? ""} ${type ?? ""}`.toLowerCase();
  // A redirect is not followed (lib/net/outbound-fetch.ts), and the next attempt would be redirected the same way.
  if (status !== undefined && status >= 300 && status < 400) return "bad_request";
  if (label.includes("context_length") || ((status === 400 || status === 413 || status === 422 || status === undefined) && CONTEXT_LENGTH_WORDS.test(message))) {
    return "context_length";
  }
  if (status === 429 || label.includes("rate_limit") || label.includes("insufficient_quota")) return "rate_limit";
  if (status === 401 || status === 403 || label.includes("invalid_api_key") || label.includes("authentication")) return "auth";
  if (status === 404 || label.includes("model_not_found")) return "not_found";
  if (status === 408) return "timeout";
  if (status !== undefined && status >= 500) return "server";
  if (status !== undefined && status >= 400) return "bad_request";
  // An error event inside a stream carries no status: the provider failed while answering.
  return "server";
}

/**
 * Milliseconds to wait from `retry-after-ms` (OpenAI's), or `Retry-After` as seconds or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers | undefined | null, now: number): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null && milliseconds.trim() !== "") {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const retryAfter = headers.get("retry-after");
  if (retryAfter === null || retryAfter.trim() === "") return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

interface Detail {
  message?: string;
  code?: string;
  type?: string;
}

function parseBody(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (an HTML error page, plain text): the caller falls back to the raw text, which keeps the detail.
    return undefined;
  }
}

/**
 * The provider's own words, from an error envelope only: OpenAI's {error:{message,type,code}} (also what vLLM,
 * llama.cpp, Ollama's /v1 and LiteLLM send), Ollama's {error:"..."}, vLLM's older flat {object:"error",message},
 * Gemini's [{error:{message,status}}]. Other JSON (FastAPI's {detail}, a bare {message}) is not a provider's error
 * and is summarized like any other body.
 */
export function providerDetail(body: unknown): Detail | undefined {
  if (Array.isArray(body)) return providerDetail(body[0]);
  if (!isRecord(body)) return undefined;
  const error = body.error;
  if (typeof error === "string" && error) return { message: error };
  if (isRecord(error)) {
    const message = typeof error.message === "string" ? error.message : undefined;
    // Gemini puts the HTTP status in `code` (a number) and its own name in `status`: prefer a name.
    const code = typeof error.code === "string" && error.code ? error.code : (stringOrUndefined(error.status) ?? stringOrUndefined(error.code));
    const type = stringOrUndefined(error.type);
    if (message || code || type) return { message, code, type };
  }
  if (body.object === "error" && typeof body.message === "string") {
    const code = typeof body.code === "string" && body.code ? body.code : undefined;
    return { message: body.message, code, type: stringOrUndefined(body.type) };
  }
  return undefined;
}

/**
 * What a body is, without what it says: "HTTP 502, text/html, 1,234 bytes". For answers that are not an API's,
 * whose text may be anything (an internal page, a login form).
 */
export function summarizeBody(status: number | undefined, contentType: string | null | undefined, text: string | undefined): string {
  const parts: string[] = [];
  if (status !== undefined) parts.push(`HTTP ${status}`);
  const media = contentType?.split(";")[0]?.trim();
  const bytes = text === undefined ? 0 : Buffer.byteLength(text, "utf8");
  if (bytes === 0) {
    parts.push(media ? `${media}, empty body` : "no body");
  } else {
    parts.push(media || "no content type", `${bytes.toLocaleString("en-US")} ${bytes === 1 ? "byte" : "bytes"}`);
  }
  return parts.join(", ");
}

function redirectMessage(status: number | undefined, headers: Headers | undefined): string | undefined {
  if (status === undefined || status < 300 || status >= 400) return undefined;
  const location = headers?.get("location");
  const where = location ? `, a redirect to ${location.length > 200 ? `${location.slice(0, 200)}…` : location}` : ", a redirect";
  return `The server answered HTTP ${status}${where}; Assay does not follow redirects for API calls, so put the final address in the base URL.`;
}

function timeoutMessage(timeoutMs: number | undefined, streamStarted: boolean | undefined): string {
  const limit = timeoutMs === undefined ? "the time limit" : formatDuration(timeoutMs);
  return streamStarted
    ? `The response stalled: no new data within ${limit}.`
    : `No answer within ${limit}.`;
}

export function networkMessage(error: unknown, baseURL: string | undefined): string {
  const host = hostOf(baseURL);
  const cause = describeCause(error);
  return `Could not reach ${host ?? "the server"} (${cause}).`;
}

function hostOf(baseURL: string | undefined): string | undefined {
  if (!baseURL) return undefined;
  try {
    return new URL(baseURL).host;
  } catch {
    // Not a URL the parser takes: name it as the user typed it, which is what they will recognise.
    return baseURL;
  }
}

/** The most specific reason in an error's cause chain: a system code like ECONNREFUSED, else the innermost message. */
export function describeCause(error: unknown): string {
  let current: unknown = error;
  let message: string | undefined;
  for (let depth = 0; depth < 6 && isRecord(current); depth++) {
    const code = current.code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) {
      return typeof current.message === "string" && !current.message.startsWith(code) && code.startsWith("UND_ERR")
        ? `${code}: ${current.message}`
        : code;
    }
    if (typeof current.message === "string" && current.message) message = current.message;
    current = current.cause;
  }
  return message ?? String(error);
}

function isAbortError(error: unknown): boolean {
  return isRecord(error) && (error.name === "AbortError" || error.name === "TimeoutError");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function stringOrUndefined(value: unknown): string | undefined {
  if (typeof value === "string" && value) return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}
