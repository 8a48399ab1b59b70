import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { ChatMessage, ChatParams } from "./types.ts";

// OpenAI's reasoning models (o-series, gpt-5) reject `max_tokens` and want `max_completion_tokens`; many other
// OpenAI-compatible servers know only `max_tokens`.
const MAX_COMPLETION_TOKENS_MODELS = /^(openai\/)?(o\d|gpt-5)/i;

export function usesMaxCompletionTokens(model: string): boolean {
  return MAX_COMPLETION_TOKENS_MODELS.test(model.trim());
}

export function toChatRequest(
  model: string,
  messages: readonly ChatMessage[],
  params: ChatParams,
): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model,
    messages: messages.map((message) => ({ role: message.role, content: message.content })),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (params.temperature !== undefined) body.temperature = params.temperature;
  if (params.topP !== undefined) body.top_p = params.topP;
  if (params.maxTokens !== undefined) {
    if (usesMaxCompletionTokens(model)) body.max_completion_tokens = params.maxTokens;
    else body.max_tokens = params.maxTokens;
  }
  if (params.stop !== undefined && params.stop.length > 0) body.stop = params.stop;
  if (params.seed !== undefined) body.seed = params.seed;
  const format = params.responseFormat;
  if (format?.type === "json_object") body.response_format = { type: "json_object" };
  else if (format?.type === "json_schema") {
    body.response_format = {
      type: "json_schema",
      json_schema: {
        name: format.name,
        schema: format.schema as Record<string, unknown>,
        ...(format.strict === undefined ? {} : { strict: format.strict }),
      },
    };
  }
  // { type: "text" } is the default; leaving it out keeps servers that do not know response_format working.
  return body;
}
