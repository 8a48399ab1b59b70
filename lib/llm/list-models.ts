import { AppError } from "../errors.ts";
import { createClient, type ResponseCapture } from "./create-client.ts";
import { outboundRefusalIn } from "../net/outbound-policy.ts";
import { mapError, summarizeBody } from "./map-error.ts";
import type { ModelTarget, ProviderError } from "./types.ts";

export const LIST_MODELS_TIMEOUT_MS = 10_000;

export type ModelsAnswer =
  | { ok: true; models: string[]; latencyMs: number }
  | { ok: false; error: ProviderError; status?: number; contentType?: string | null; latencyMs: number };

/**
 * GET {baseURL}/models, classified rather than thrown: the connection test needs to tell a bad key from an
 * unreachable host from a server that is not an OpenAI-compatible API. The one thing thrown is the outbound
 * policy's refusal (AppError "bad_request", a 400): that is the user's URL, not something the server answered.
 */
export async function fetchModels(
  target: Omit<ModelTarget, "model"> & { model?: string },
  options: { signal?: AbortSignal } = {},
): Promise<ModelsAnswer> {
  const timeoutMs = target.timeoutMs ?? LIST_MODELS_TIMEOUT_MS;
  const startedAt = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  let cancelled = false;
  let responded = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => {
    cancelled = true;
    controller.abort();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const capture: ResponseCapture = {};
  const elapsed = () => performance.now() - startedAt;
  try {
    const client = createClient({ ...target, model: target.model ?? "" }, { timeoutMs, capture });
    const response = await client.models.list({ signal: controller.signal }).asResponse();
    responded = true;
    const contentType = response.headers.get("content-type");
    const text = await response.text();
    const models = contentType?.includes("json") ? modelIds(text) : undefined;
    if (!models) {
      return {
        ok: false,
        status: response.status,
        contentType,
        latencyMs: elapsed(),
        error: {
          kind: "invalid_response",
          status: response.status,
          message: `The server answered, but not like an OpenAI-compatible API (got ${describeBody(response.status, contentType, text)}).`,
        },
      };
    }
    return { ok: true, models, latencyMs: elapsed() };
  } catch (thrown) {
    const refusal = outboundRefusalIn(thrown);
    if (refusal) throw refusal;
    const error = mapError(thrown, {
      timedOut,
      cancelled,
      timeoutMs,
      streamStarted: responded,
      baseURL: target.baseURL,
      bodyText: capture.bodyText ? await capture.bodyText : undefined,
      contentType: capture.contentType,
      now: Date.now(),
    });
    return { ok: false, error, status: capture.status, contentType: capture.contentType, latencyMs: elapsed() };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** The model ids a server offers, sorted; throws AppError("provider") with the provider's words when it cannot. */
export async function listModels(target: Omit<ModelTarget, "model"> & { model?: string }): Promise<string[]> {
  const answer = await fetchModels(target);
  if (!answer.ok) throw new AppError("provider", "models", answer.error.message);
  return answer.models;
}

/** `{ object: "list", data: [{ id }] }`; undefined for anything else. */
function modelIds(text: string): string[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: no model list in it, which the caller reports as such, with the status and content type.
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const data = (body as { data?: unknown }).data;
  if (!Array.isArray(data)) return undefined;
  const ids = data
    .map((item) => (typeof item === "object" && item !== null ? (item as { id?: unknown }).id : undefined))
    .filter((id): id is string => typeof id === "string" && id !== "");
  return [...new Set(ids)].sort((a, b) => a.localeCompare(b));
}

/** What the answer was, never what it said (see summarizeBody). */
function describeBody(status: number, contentType: string | null, text: string): string {
  if (contentType?.includes("json")) return `JSON without a "data" list of models, ${Buffer.byteLength(text, "utf8").toLocaleString("en-US")} bytes`;
  return summarizeBody(status, contentType, text);
}
