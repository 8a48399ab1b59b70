// The shapes every model call shares, whatever the provider. Callers (playground, runs, gateway, judges) depend on
// these, never on the openai SDK's own types.

export interface ModelTarget {
  /** base URL of an OpenAI-compatible API, usually ending in /v1 */
  baseURL: string;
  /** null for servers that need no key (Ollama, llama.cpp, Assay's local server) */
  apiKey: string | null;
  model: string;
  /** longest wait for the first byte, and afterwards for each next chunk of a stream; default 60 s */
  timeoutMs?: number;
  /** injectable so tests and benchmarks can point the call anywhere */
  fetch?: typeof fetch;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: object; strict?: boolean };

export interface ChatParams {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  responseFormat?: ResponseFormat;
}

export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "error" | "cancelled" | "unknown";

export type ProviderErrorKind =
  | "rate_limit"
  | "context_length"
  | "auth"
  | "not_found"
  | "bad_request"
  | "timeout"
  | "network"
  | "server"
  | "stream_cut"
  | "cancelled"
  | "invalid_response";

export interface ProviderError {
  kind: ProviderErrorKind;
  status?: number;
  code?: string;
  type?: string;
  /** the provider's own words when it gave any */
  message: string;
  retryAfterMs?: number;
}

export interface Usage {
  /** null means unknown, which is not the same as zero */
  inputTokens: number | null;
  outputTokens: number | null;
  /** true when at least one figure was counted locally with tiktoken instead of reported by the API */
  estimated: boolean;
}

export interface CallResult {
  /** everything received, also when the call failed or was cancelled part-way */
  output: string;
  finishReason: FinishReason;
  usage: Usage;
  /** ms from sending the request to the first non-empty content delta */
  ttftMs: number | null;
  /** ms from sending the request to the end of the response (or the failure) */
  latencyMs: number;
  /** output tokens / time from the first to the last content chunk; null when the output came at once (< 2 chunks or < 1 ms) */
  tokensPerSecond: number | null;
  /** epoch ms (performance.timeOrigin based) when the call started */
  startedAt: number;
  /** epoch ms (performance.timeOrigin based) when the first chunk of the response body arrived */
  firstByteAt: number | null;
  error: ProviderError | null;
  raw?: { id?: string; model?: string; systemFingerprint?: string };
}
