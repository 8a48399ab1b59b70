import { get_encoding, type Tiktoken } from "tiktoken";

export type TokenEncoding = "o200k_base" | "cl100k_base";

export interface TokenCount {
  tokens: number;
  /** true when the model's real tokenizer is not a tiktoken encoding and the count is an approximation */
  estimated: boolean;
  encoding: TokenEncoding;
}

export interface CountableMessage {
  role: string;
  content: string;
  name?: string;
}

// OpenAI's chat format wraps every message in <|start|>{role/name}\n{content}<|end|>\n, which is 3 tokens on top of the
// role and content; the reply is primed with <|start|>assistant<|message|>, 3 more. A name costs 1 extra token.
// Numbers from OpenAI's cookbook `num_tokens_from_messages` (gpt-3.5-turbo-0613 onwards, gpt-4, gpt-4o).
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;

// Model names arrive as users or providers spell them: "gpt-4o-mini-2024-07-18", "openai/gpt-4o" (OpenRouter),
// "ft:gpt-4o-mini:acme::abc" (fine-tunes), "GPT-4.1". Reduce them to the base OpenAI name before matching.
function baseModelName(model: string): string {
  let name = model.trim().toLowerCase();
  if (name.startsWith("ft:")) name = name.slice(3).split(":")[0] ?? "";
  if (name.startsWith("openai/")) name = name.slice("openai/".length);
  return name;
}

const O200K_MODELS = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d+(-|$)|codex-mini|computer-use)/;
const CL100K_MODELS = /^(gpt-4|gpt-3\.5|gpt-35|text-embedding-3|text-embedding-ada-002)/;
// Open-weight GPT models use o200k with extra special tokens (o200k_harmony): plain text counts the same, but their
// chat framing differs from the hosted API's, so the chat total is only an estimate.
const O200K_OPEN_MODELS = /^gpt-oss/;

export function encodingForModel(model: string): { encoding: TokenEncoding; estimated: boolean } {
  const name = baseModelName(model);
  // o200k first: "gpt-4o" also matches the cl100k "gpt-4" prefix.
  if (O200K_MODELS.test(name)) return { encoding: "o200k_base", estimated: false };
  if (O200K_OPEN_MODELS.test(name)) return { encoding: "o200k_base", estimated: true };
  if (CL100K_MODELS.test(name)) return { encoding: "cl100k_base", estimated: false };
  // Llama, Qwen, Mistral, Claude, Gemini, local GGUF files: their tokenizers are not available here; cl100k is within
  // roughly ±20 % for English text, which is what the live editor needs.
  return { encoding: "cl100k_base", estimated: true };
}

// Encoders hold a WASM instance and a large vocabulary; creating one costs ~100 ms, so keep one per encoding for the
// life of the process and never free it.
const encoders = new Map<TokenEncoding, Tiktoken>();

function encoderFor(encoding: TokenEncoding): Tiktoken {
  let encoder = encoders.get(encoding);
  if (!encoder) {
    encoder = get_encoding(encoding);
    encoders.set(encoding, encoder);
  }
  return encoder;
}

function encodedLength(encoder: Tiktoken, text: string): number {
  if (text.length === 0) return 0;
  // User text may contain "<|endoftext|>" literally; count it as text instead of throwing on a special token.
  return encoder.encode(text, [], []).length;
}

export function countTokens(text: string, model: string): TokenCount {
  const { encoding, estimated } = encodingForModel(model);
  return { tokens: encodedLength(encoderFor(encoding), text), estimated, encoding };
}

export function countChatTokens(messages: readonly CountableMessage[], model: string): TokenCount {
  const { encoding, estimated } = encodingForModel(model);
  const encoder = encoderFor(encoding);
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    tokens += TOKENS_PER_MESSAGE + encodedLength(encoder, message.role) + encodedLength(encoder, message.content);
    if (message.name !== undefined) tokens += TOKENS_PER_NAME + encodedLength(encoder, message.name);
  }
  return { tokens, estimated, encoding };
}
