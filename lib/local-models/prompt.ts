import { SpecialToken, SpecialTokensText, type ChatHistoryItem, type LlamaGrammar, type Token } from "node-llama-cpp";
import type { Llama } from "node-llama-cpp";
import { contextLengthExceeded, invalidRequest } from "./api-errors.ts";
import { CONTINUATION_CHAT_TEMPLATE } from "./chat-template.ts";
import { grammarForSchema, toGrammarSchema } from "./json-schema-grammar.ts";
import type { LoadedModel } from "./model-pool.ts";
import { messageText, type ChatCompletionRequest, type ChatMessage } from "./schema.ts";

// From an OpenAI request to what the generation loop needs: prompt tokens (through the chat template stored in the
// GGUF), stop tokens and strings, the grammar for JSON output, and the token limit.

export interface PreparedPrompt {
  tokens: Token[];
  stopTokens: Set<Token>;
  stopStrings: string[];
}

function historyOf(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) => {
    const text = messageText(message.content);
    if (message.role === "assistant") return { type: "model", response: [text] };
    if (message.role === "user") return { type: "user", text };
    return { type: "system", text };
  });
  history.push({ type: "model", response: [] });
  return history;
}

export function prepareChatPrompt(loaded: LoadedModel, messages: readonly ChatMessage[], stop: readonly string[]): PreparedPrompt {
  const tokenizer = loaded.model.tokenizer;
  const state = loaded.chatWrapper.generateContextState({ chatHistory: historyOf(messages) });
  const stopTokens = new Set<Token>();
  const stopStrings = [...stop];
  for (const trigger of state.stopGenerationTriggers) {
    const special = trigger.values.some((value) => value instanceof SpecialToken || value instanceof SpecialTokensText);
    if (special) {
      // "<|im_end|>" and the like: one special token, which detokenized text would never show.
      const tokens = trigger.tokenize(tokenizer);
      if (tokens.length === 1) stopTokens.add(tokens[0]!);
    } else {
      const text = trigger.toString();
      if (text.length > 0) stopStrings.push(text);
    }
  }
  const tokens = state.contextText.tokenize(tokenizer);
  return { tokens: continuesText(loaded) ? withoutSentenceEnd(loaded, tokens) : tokens, stopTokens, stopStrings };
}

/** The project's own continuation models (the n-gram demo) carry CONTINUATION_CHAT_TEMPLATE. */
function continuesText(loaded: LoadedModel): boolean {
  const metadata = loaded.model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } } | undefined;
  return metadata?.tokenizer?.chat_template === CONTINUATION_CHAT_TEMPLATE;
}

const SENTENCE_END = /^[.!?]+\s*$/;

/**
 * A continuation model learned every line as words, then ".", then end-of-sequence: a conversation whose last token
 * is a bare "." (after a word it has no "word." token for) would be answered by an empty reply at once. It continues
 * the last word instead, as it does for a message without the period.
 */
function withoutSentenceEnd(loaded: LoadedModel, tokens: Token[]): Token[] {
  let end = tokens.length;
  while (end > 2 && SENTENCE_END.test(loaded.model.detokenize([tokens[end - 1]!]))) end--;
  return end === tokens.length ? tokens : tokens.slice(0, end);
}

export function prepareTextPrompt(loaded: LoadedModel, prompt: string, stop: readonly string[]): PreparedPrompt {
  const model = loaded.model;
  const bos = model.tokens.bos;
  const tokens = model.tokenize(prompt, false);
  if (bos !== null && model.tokens.shouldPrependBosToken) tokens.unshift(bos);
  return { tokens, stopTokens: new Set(), stopStrings: [...stop] };
}

/** 400 when the prompt leaves no room to generate; otherwise the token limit, capped at the room left. */
export function tokenLimit(loaded: LoadedModel, promptTokens: number, requested: number | undefined, param: string): number {
  if (promptTokens >= loaded.contextSize) throw contextLengthExceeded(promptTokens, loaded.contextSize, param);
  const room = loaded.contextSize - promptTokens;
  return Math.min(requested ?? room, room);
}

export function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop == null) return [];
  return (typeof stop === "string" ? [stop] : stop).filter((item) => item.length > 0);
}

export interface ResponseGrammar {
  grammar: LlamaGrammar;
  /** schema keywords the grammar does not enforce (non-strict schemas only) */
  ignored: string[];
}

/** The llama.cpp grammar for `response_format`; 400 for a schema that cannot be generated. */
export async function grammarFor(
  llama: Llama,
  format: ChatCompletionRequest["response_format"],
): Promise<ResponseGrammar | undefined> {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object" || format.json_schema.schema === undefined) {
    return { grammar: await grammarForSchema(llama, undefined), ignored: [] };
  }
  const { schema, ignored } = toGrammarSchema(format.json_schema.schema, { strict: format.json_schema.strict === true });
  try {
    return { grammar: await grammarForSchema(llama, schema), ignored };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidRequest(`Unsupported JSON schema: ${reason}`, "response_format.json_schema.schema", "invalid_json_schema");
  }
}
