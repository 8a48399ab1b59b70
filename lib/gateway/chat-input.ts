import { z } from "zod";
import { limits } from "../limits.ts";
import type { ChatMessage, ChatParams, ResponseFormat } from "../llm/types.ts";
import type { TemplateVariables } from "../prompts/types.ts";

// POST /api/gateway/v1/chat/completions as the openai SDK sends it. Fields the gateway cannot honour (tools, n > 1)
// are refused by name; OpenAI fields without meaning here (logprobs, store, …) are ignored, as compatible servers do.

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const message = z.object({
  role: z.enum(["system", "developer", "user", "assistant"], "role: system, developer, user or assistant"),
  content: z.union([z.string(), z.array(textPart)], "content: a string or text parts"),
});

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({ name: z.string().min(1).max(64), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() }),
  }),
]);

const unsupported = (what: string) => z.null(`${what} is not supported by the Assay gateway`).optional();

export const chatCompletionBody = z.object({
  model: z.string("model: the prompt's name, or <name>@<label>").trim().min(1, "model: the prompt's name, or <name>@<label>").max(300),
  messages: z.array(message).max(limits.messages, `at most ${limits.messages} messages`).default([]),
  metadata: z.record(z.string(), z.string("metadata values are strings (send other values in `variables`)")).nullable().optional(),
  variables: z.record(z.string(), z.json()).nullable().optional(),
  user: z.string().max(200).optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  response_format: responseFormat.nullable().optional(),
  n: z.literal(1, "n: the gateway returns one choice").nullable().optional(),
  tools: unsupported("tools"),
  functions: unsupported("functions"),
  tool_choice: unsupported("tool_choice"),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

/** The request's own messages, appended after the prompt's (developer is sent as system). */
export function appendedMessages(body: ChatCompletionBody): ChatMessage[] {
  return body.messages.map((item) => ({
    role: item.role === "developer" ? "system" : item.role,
    content: typeof item.content === "string" ? item.content : item.content.map((part) => part.text).join(""),
  }));
}

/** The request's variables with where each came from ("metadata.<name>" or "variables.<name>", for error params). */
export function requestVariables(body: ChatCompletionBody): { values: TemplateVariables; origin: Map<string, string> } {
  const values: TemplateVariables = {};
  const origin = new Map<string, string>();
  for (const [name, value] of Object.entries(body.metadata ?? {})) {
    values[name] = value;
    origin.set(name, `metadata.${name}`);
  }
  for (const [name, value] of Object.entries(body.variables ?? {})) {
    values[name] = value as TemplateVariables[string];
    origin.set(name, `variables.${name}`);
  }
  return { values, origin };
}

/** The request's parameters in ChatParams shape (only those it sets). */
export function requestParams(body: ChatCompletionBody): ChatParams {
  const params: ChatParams = {};
  if (body.temperature != null) params.temperature = body.temperature;
  if (body.top_p != null) params.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) params.maxTokens = maxTokens;
  if (body.stop != null) params.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.seed != null) params.seed = body.seed;
  const format = body.response_format;
  if (format) {
    const converted: ResponseFormat =
      format.type === "json_schema"
        ? {
            type: "json_schema",
            name: format.json_schema.name,
            schema: format.json_schema.schema ?? {},
            ...(format.json_schema.strict == null ? {} : { strict: format.json_schema.strict }),
          }
        : format;
    params.responseFormat = converted;
  }
  return params;
}
