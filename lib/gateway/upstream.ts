import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CallResult, ProviderError } from "../llm/types.ts";
import { GatewayError } from "./errors.ts";

// How an upstream's answer leaves the gateway: failures with the provider's status and words (network 502, timeout
// 504), whole completions assembled from the streamed call, and streamed chunks passed through untouched except for
// the usage, which is always asked of the upstream (for the log) but only forwarded when the client asked.

export function upstreamError(error: ProviderError): GatewayError {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  if (error.status !== undefined && error.status >= 400) {
    return new GatewayError(error.status, error.message, { type: error.type, code: error.code ?? null, headers });
  }
  switch (error.kind) {
    case "timeout":
      return new GatewayError(504, `The model did not answer in time: ${error.message}`, { code: "upstream_timeout" });
    case "cancelled":
      return new GatewayError(499, "The request was cancelled.", { code: "cancelled" });
    case "rate_limit":
      return new GatewayError(429, error.message, { code: error.code ?? "rate_limit_exceeded", headers });
    default:
      return new GatewayError(502, `The model's server failed: ${error.message}`, { code: error.code ?? `upstream_${error.kind}` });
  }
}

export interface StreamFacts {
  /** the upstream's own finish_reason, as it said it */
  finishReason: string | null;
  chunks: number;
}

/** A chunk as the client gets it: without usage unless it asked; null when nothing is left to send. */
export function clientChunk(chunk: ChatCompletionChunk, includeUsage: boolean): ChatCompletionChunk | null {
  if (includeUsage || !("usage" in chunk)) return chunk;
  const { usage: _usage, ...rest } = chunk;
  void _usage;
  return rest.choices && rest.choices.length > 0 ? (rest as ChatCompletionChunk) : null;
}

export function finishReasonOf(result: CallResult, facts: StreamFacts | null): string {
  if (facts?.finishReason) return facts.finishReason;
  return result.finishReason === "unknown" || result.finishReason === "error" || result.finishReason === "cancelled" ? "stop" : result.finishReason;
}

export interface Answer {
  id: string;
  model: string;
  output: string;
  finishReason: string;
  inputTokens: number;
  outputTokens: number;
  systemFingerprint: string | null;
}

export function completionBody(answer: Answer, created: number) {
  return {
    id: answer.id,
    object: "chat.completion",
    created,
    model: answer.model,
    choices: [{ index: 0, message: { role: "assistant", content: answer.output, refusal: null }, logprobs: null, finish_reason: answer.finishReason }],
    usage: { prompt_tokens: answer.inputTokens, completion_tokens: answer.outputTokens, total_tokens: answer.inputTokens + answer.outputTokens },
    system_fingerprint: answer.systemFingerprint,
  };
}

/** The chunks of a stream for an answer that did not arrive as one (interleaved lists, servers that ignore stream). */
export function synthesizedChunks(answer: Answer, created: number, includeUsage: boolean): object[] {
  const base = { id: answer.id, object: "chat.completion.chunk", created, model: answer.model, system_fingerprint: answer.systemFingerprint };
  const chunks: object[] = [
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: answer.output }, logprobs: null, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: answer.finishReason }] },
  ];
  if (includeUsage) {
    chunks.push({
      ...base,
      choices: [],
      usage: { prompt_tokens: answer.inputTokens, completion_tokens: answer.outputTokens, total_tokens: answer.inputTokens + answer.outputTokens },
    });
  }
  return chunks;
}

export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}
