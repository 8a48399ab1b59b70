import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import { countChatTokens, countTokens } from "../prompts/tokens.ts";
import { completeUsage, convertUsage, type RawUsage } from "./convert-usage.ts";
import { DEFAULT_TIMEOUT_MS, sharedClient, type ResponseCapture } from "./create-client.ts";
import { mapError, summarizeBody } from "./map-error.ts";
import { mapFinishReason } from "./map-finish-reason.ts";
import { toChatRequest } from "./request-body.ts";
import type { CallResult, ChatMessage, ChatParams, ModelTarget, ProviderError } from "./types.ts";

export type { CallResult, ChatMessage, ChatParams, ModelTarget, ProviderError } from "./types.ts";

const MIN_GENERATION_MS = 1;

export interface CallOptions {
  signal?: AbortSignal;
  /** each non-empty piece of content, as it arrives */
  onDelta?: (text: string) => void;
  /**
   * every chunk of the upstream's stream as it arrives, untouched (the gateway passes them through); a server that
   * answers with one whole completion instead of a stream gives none. Same failure rule as onDelta.
   */
  onChunk?: (chunk: ChatCompletionChunk) => void;
}

/** What has arrived so far; kept when the call fails part-way so the partial output is not lost. */
interface Progress {
  output: string;
  contentChunks: number;
  firstContentAt: number | null;
  lastContentAt: number | null;
  firstByteAt: number | null;
  finishReason: string | null;
  usage: RawUsage | null;
  raw: { id?: string; model?: string; systemFingerprint?: string };
}

/**
 * The one path to every model: a streaming chat completion through the openai SDK, timed with a monotonic clock.
 * Provider failures come back in `error`, in the provider's own words; this never throws for them.
 *
 * `timeoutMs` bounds the wait for the first byte and then for each next chunk, so a long answer that keeps
 * streaming is not cut, while a stalled one is.
 */
export async function callModel(
  target: ModelTarget,
  messages: ChatMessage[],
  params: ChatParams,
  options: CallOptions = {},
): Promise<CallResult> {
  const timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const startedAt = performance.now();
  const progress: Progress = {
    output: "",
    contentChunks: 0,
    firstContentAt: null,
    lastContentAt: null,
    firstByteAt: null,
    finishReason: null,
    usage: null,
    raw: {},
  };
  if (options.signal?.aborted) {
    return finish(target, messages, startedAt, progress, false, {
      kind: "cancelled",
      message: "Cancelled before the request was sent.",
    });
  }

  const controller = new AbortController();
  let timedOut = false;
  let cancelled = false;
  let callbackError: { error: unknown } | null = null;
  let streamStarted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => {
    cancelled = true;
    controller.abort();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const stopListening = () => {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  };

  const capture: ResponseCapture = {};
  let releaseClient: (() => void) | null = null;
  let error: ProviderError | null = null;
  const absorbContent = (raw: string) => {
    // PostgreSQL text and jsonb cannot hold U+0000: a model that emits NUL (byte tokens of a tiny or random model) would
    // make every write of its output fail. It is kept, shown and stored as U+FFFD, the replacement character.
    const text = raw.includes("\u0000") ? raw.replaceAll("\u0000", "\uFFFD") : raw;
    const now = performance.now();
    progress.output += text;
    progress.contentChunks += 1;
    progress.firstContentAt ??= now;
    progress.lastContentAt = now;
    if (options.onDelta) {
      try {
        options.onDelta(text);
      } catch (thrown) {
        // A failing callback is the caller's bug, not the provider's: stop the call and rethrow it below.
        callbackError = { error: thrown };
        controller.abort();
      }
    }
  };

  try {
    const shared = sharedClient(target, { timeoutMs, capture });
    releaseClient = shared.release;
    const { data: stream, response } = await shared.client.chat.completions
      .create(toChatRequest(target.model, messages, params), { signal: controller.signal, headers: shared.headers })
      .withResponse();
    streamStarted = true;
    timer.refresh();
    const contentType = response.headers.get("content-type") ?? "";
    if (contentType.includes("text/event-stream")) {
      for await (const chunk of stream) {
        timer.refresh();
        progress.firstByteAt ??= epochNow();
        absorbChunk(chunk, progress, absorbContent);
        if (options.onChunk && !callbackError) {
          try {
            options.onChunk(chunk);
          } catch (thrown) {
            // As for onDelta: the caller's bug, rethrown below once the call is stopped.
            callbackError = { error: thrown };
            controller.abort();
          }
        }
      }
    } else if (contentType.includes("json")) {
      // Some servers ignore `stream: true` and answer with one whole completion.
      const body = (await response.json()) as ChatCompletion;
      progress.firstByteAt = epochNow();
      absorbCompletion(body, progress, absorbContent);
    } else {
      const text = await response.text();
      progress.firstByteAt = epochNow();
      error = notOpenAiAnswer(response.status, contentType, text);
    }
    // The SDK ends a stream quietly when it is aborted; the flags say whether that happened.
    stopListening();
    if (!error && (cancelled || timedOut)) {
      error = mapError(null, { cancelled, timedOut, timeoutMs, streamStarted, baseURL: target.baseURL });
    } else if (!error && progress.firstByteAt === null) {
      error = { kind: "invalid_response", message: "The server closed the stream without sending any data." };
    }
  } catch (thrown) {
    stopListening();
    error = mapError(thrown, {
      cancelled,
      timedOut,
      timeoutMs,
      streamStarted,
      baseURL: target.baseURL,
      bodyText: capture.bodyText ? await capture.bodyText : undefined,
      contentType: capture.contentType,
      now: Date.now(),
    });
  }
  (releaseClient as (() => void) | null)?.();
  if (callbackError) throw (callbackError as { error: unknown }).error;
  return finish(target, messages, startedAt, progress, streamStarted, error);
}

function absorbChunk(chunk: ChatCompletionChunk, progress: Progress, absorbContent: (text: string) => void): void {
  if (chunk.id) progress.raw.id ??= chunk.id;
  if (chunk.model) progress.raw.model ??= chunk.model;
  if (chunk.system_fingerprint) progress.raw.systemFingerprint ??= chunk.system_fingerprint;
  if (chunk.usage) progress.usage = chunk.usage;
  // Only the first choice is asked for (n is never set), but some servers number it oddly: take index 0 or the only one.
  for (const choice of chunk.choices ?? []) {
    if (choice.index !== 0 && chunk.choices.length > 1) continue;
    const content = choice.delta?.content;
    if (typeof content === "string" && content !== "") absorbContent(content);
    if (choice.finish_reason) progress.finishReason = choice.finish_reason;
  }
}

function absorbCompletion(body: ChatCompletion, progress: Progress, absorbContent: (text: string) => void): void {
  if (typeof body !== "object" || body === null || !Array.isArray(body.choices)) {
    throw new SyntaxError("the JSON answer has no `choices`");
  }
  if (body.id) progress.raw.id = body.id;
  if (body.model) progress.raw.model = body.model;
  if (body.system_fingerprint) progress.raw.systemFingerprint = body.system_fingerprint;
  if (body.usage) progress.usage = body.usage;
  const choice = body.choices[0];
  const content = choice?.message?.content;
  if (typeof content === "string" && content !== "") absorbContent(content);
  progress.finishReason = choice?.finish_reason ?? null;
}

/** Described, never echoed (see summarizeBody). */
function notOpenAiAnswer(status: number, contentType: string, text: string): ProviderError {
  return {
    kind: "invalid_response",
    message: `The server answered, but not like an OpenAI-compatible API (got ${summarizeBody(status, contentType, text)}).`,
  };
}

function finish(
  target: ModelTarget,
  messages: ChatMessage[],
  startedAt: number,
  progress: Progress,
  reachedModel: boolean,
  error: ProviderError | null,
): CallResult {
  const endedAt = performance.now();
  const reported = convertUsage(progress.usage);
  // Tokens were spent only if the request reached the model; a refused request (401, 429) or a page that is not an
  // API answer has unknown usage.
  const spent = reachedModel && !(error?.kind === "invalid_response" && progress.contentChunks === 0);
  const usage =
    spent && (reported.inputTokens === null || reported.outputTokens === null)
      ? completeUsage(reported, {
          input: () => countChatTokens(messages, target.model).tokens,
          output: () => countTokens(progress.output, target.model).tokens,
        })
      : reported;
  const ttftMs = progress.firstContentAt === null ? null : progress.firstContentAt - startedAt;
  const generationMs =
    progress.firstContentAt !== null && progress.lastContentAt !== null
      ? progress.lastContentAt - progress.firstContentAt
      : 0;
  // Chunks that arrive together (a buffering proxy, a local server) give no measurable rate, not an infinite one.
  const tokensPerSecond =
    progress.contentChunks >= 2 && generationMs >= MIN_GENERATION_MS && usage.outputTokens !== null && usage.outputTokens > 0
      ? usage.outputTokens / (generationMs / 1000)
      : null;
  const finishReason = error
    ? error.kind === "cancelled"
      ? "cancelled"
      : "error"
    : mapFinishReason(progress.finishReason);
  const result: CallResult = {
    output: progress.output,
    finishReason,
    usage,
    ttftMs,
    latencyMs: endedAt - startedAt,
    tokensPerSecond,
    startedAt: performance.timeOrigin + startedAt,
    firstByteAt: progress.firstByteAt,
    error,
  };
  if (progress.raw.id || progress.raw.model || progress.raw.systemFingerprint) result.raw = progress.raw;
  return result;
}

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
