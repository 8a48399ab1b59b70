import type { FinishReason } from "./types.ts";

// OpenAI's values plus the spellings other "OpenAI-compatible" servers let through from their native APIs
// (Anthropic's end_turn/max_tokens, Gemini's MAX_TOKENS/SAFETY, llama.cpp's eos/limit).
const FINISH_REASONS: Record<string, FinishReason> = {
  stop: "stop",
  eos: "stop",
  end_turn: "stop",
  stop_sequence: "stop",
  length: "length",
  max_tokens: "length",
  limit: "length",
  model_length: "length",
  content_filter: "content_filter",
  safety: "content_filter",
  recitation: "content_filter",
  refusal: "content_filter",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  tool_use: "tool_calls",
};

export function mapFinishReason(raw: string | null | undefined): FinishReason {
  if (!raw) return "unknown";
  return FINISH_REASONS[raw.toLowerCase()] ?? "unknown";
}
