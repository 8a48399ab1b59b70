import { z } from "zod";

// The OpenAI request bodies this server accepts. Unknown fields are dropped (clients send many), known ones are
// checked so a bad value gets a 400 that names the parameter.

const textPart = z.object({ type: z.literal("text"), text: z.string() });

const content = z.union([
  z.string(),
  z.array(textPart, { error: "only text content parts are supported by local models" }),
]);

const message = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content }),
  z.object({ role: z.literal("developer"), content }),
  z.object({ role: z.literal("user"), content }),
  z.object({ role: z.literal("assistant"), content: content.nullish() }),
]);

const stop = z.union([z.string(), z.array(z.string()).max(4)]).nullish();

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const sampling = {
  model: z.string().min(1),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop,
  n: z.literal(1, { error: "only n = 1 is supported" }).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().optional(),
  /** llama-server's extension: never stop at end-of-sequence, generate max_tokens (benchmarks) */
  ignore_eos: z.boolean().nullish(),
};

export const chatCompletionRequest = z.object({
  ...sampling,
  messages: z.array(message).min(1),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  response_format: responseFormat.nullish(),
  tools: z.array(z.unknown()).max(0, { error: "tools are not supported by the local model server" }).nullish(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

export const completionRequest = z.object({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).length(1, { error: "exactly one prompt per request" })]),
  max_tokens: z.number().int().min(1).nullish(),
  echo: z.boolean().nullish(),
  suffix: z.null({ error: "suffix is not supported" }).optional(),
});
export type CompletionRequest = z.infer<typeof completionRequest>;

export type ChatMessage = ChatCompletionRequest["messages"][number];

export function messageText(messageContent: z.infer<typeof content> | null | undefined): string {
  if (messageContent == null) return "";
  if (typeof messageContent === "string") return messageContent;
  return messageContent.map((part) => part.text).join("");
}
