import { LlamaGrammarEvaluationState, LlamaText, TokenBias, type LlamaContextSequence, type LlamaGrammar, type Token } from "node-llama-cpp";

// One generation on one context sequence: reuse the cached prefix, evaluate the rest of the prompt, sample until a
// stop (end-of-generation token, stop token, stop string), the token limit or cancellation. Text is released to
// `onText` only when it is final: never half a UTF-8 character, never the start of what may become a stop string.

export type FinishReason = "stop" | "length" | "cancelled";

/** llama-server's timing fields, so clients that read llama.cpp's read ours; queue_ms is Assay's. */
export interface Timings {
  queue_ms: number;
  cache_n: number;
  prompt_n: number;
  prompt_ms: number;
  prompt_per_token_ms: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_ms: number;
  predicted_per_token_ms: number;
  predicted_per_second: number;
}

export interface GenerationInput {
  promptTokens: Token[];
  maxTokens: number;
  temperature: number;
  topP: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  stopStrings: readonly string[];
  stopTokens: ReadonlySet<Token>;
  grammar?: LlamaGrammar;
  /** llama-server's `ignore_eos`: generate exactly maxTokens (benchmarks, speed measurements) */
  ignoreEos?: boolean;
  signal: AbortSignal;
  queueMs: number;
  onText?: (text: string) => void;
}

export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  timings: Timings;
}

/** Tokens held back at most while waiting for the rest of a multi-byte character (UTF-8 needs at most 4 bytes). */
const MAX_HELD_TOKENS = 4;
const DETOKENIZE_CONTEXT = 8;
const REPLACEMENT = "\uFFFD";

/** Length of the longest suffix of `text` that is a proper prefix of a stop string: text that may not be sent yet. */
function pendingStopPrefix(text: string, stopStrings: readonly string[]): number {
  let longest = 0;
  for (const stop of stopStrings) {
    for (let length = Math.min(stop.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(stop.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

function rate(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

/** Keeps the cached state that matches the prompt (at least one prompt token is evaluated, to get logits). */
async function reusePrefix(sequence: LlamaContextSequence, promptTokens: Token[]): Promise<number> {
  const { firstDifferentIndex } = sequence.compareContextTokens(promptTokens);
  const reuse = Math.min(firstDifferentIndex, promptTokens.length - 1);
  if (reuse < sequence.nextTokenIndex) {
    await sequence.eraseContextTokenRanges([{ start: reuse, end: sequence.nextTokenIndex }]);
  }
  return sequence.nextTokenIndex;
}

/** What ends a grammar's output ("\n\n\n\n" after a JSON value), as text to stop at. */
function grammarStopStrings(grammar: LlamaGrammar | undefined): string[] {
  if (!grammar) return [];
  return grammar.stopGenerationTriggers.flatMap((trigger) => {
    if (typeof trigger === "string") return [trigger];
    if (trigger instanceof LlamaText) return [trigger.toString()];
    return trigger.every((part) => typeof part === "string") ? [trigger.join("")] : [];
  }).filter((text) => text.length > 0);
}

/**
 * llama-server implements ignore_eos as a -inf logit bias on the end-of-generation tokens. node-llama-cpp's public
 * TokenBias.set skips those tokens on purpose, so the bias goes into its map directly (node-llama-cpp ~3.22 keeps
 * token → logit there and hands it to llama.cpp's logit-bias sampler unchanged).
 */
export function endOfGenerationBias(sequence: LlamaContextSequence): TokenBias {
  const bias = new TokenBias(sequence.model.tokenizer);
  const biases = (bias as unknown as { _biases?: unknown })._biases;
  if (biases instanceof Map) {
    for (const token of [sequence.model.tokens.eos, sequence.model.tokens.eot]) {
      if (token !== null) biases.set(token, Number.NEGATIVE_INFINITY);
    }
  }
  return bias;
}

export async function generate(sequence: LlamaContextSequence, input: GenerationInput): Promise<GenerationResult> {
  const model = sequence.model;
  const started = performance.now();
  const stopStrings = [...input.stopStrings, ...grammarStopStrings(input.grammar)];
  const cached = await reusePrefix(sequence, input.promptTokens);
  const penalties =
    (input.presencePenalty ?? 0) > 0 || (input.frequencyPenalty ?? 0) > 0
      ? {
          punishTokens: () => sequence.contextTokens.slice(-64),
          penalty: 1,
          presencePenalty: Math.min(1, Math.max(0, input.presencePenalty ?? 0)),
          frequencyPenalty: Math.min(1, Math.max(0, input.frequencyPenalty ?? 0)),
        }
      : undefined;
  const iterator = sequence.evaluate(input.promptTokens.slice(cached), {
    temperature: input.temperature,
    topP: input.topP,
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
    ...(input.grammar ? { grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar: input.grammar }) } : {}),
    ...(penalties ? { repeatPenalty: penalties } : {}),
    ...(input.ignoreEos ? { tokenBias: endOfGenerationBias(sequence) } : {}),
  });

  const generated: Token[] = [];
  let held: Token[] = [];
  let heldContext = input.promptTokens.slice(-DETOKENIZE_CONTEXT);
  let output = "";
  let sent = 0;
  let finishReason: FinishReason = "stop";
  let firstTokenAt: number | undefined;
  let stopped = false;

  const release = (upTo: number) => {
    if (upTo > sent) {
      input.onText?.(output.slice(sent, upTo));
      sent = upTo;
    }
  };
  /** Decodes held tokens; returns false while they end inside a multi-byte character. */
  const decodeHeld = (force: boolean): boolean => {
    if (held.length === 0) return true;
    const text = model.detokenize(held, false, heldContext);
    if (!force && text.endsWith(REPLACEMENT) && held.length < MAX_HELD_TOKENS) return false;
    output += text;
    heldContext = [...heldContext, ...held].slice(-DETOKENIZE_CONTEXT);
    held = [];
    return true;
  };
  const checkStopStrings = (): boolean => {
    let cut = -1;
    for (const stop of stopStrings) {
      const index = output.indexOf(stop, Math.max(0, sent - stop.length + 1));
      if (index >= 0 && (cut < 0 || index < cut)) cut = index;
    }
    if (cut < 0) return false;
    output = output.slice(0, cut);
    return true;
  };

  try {
    for await (const token of iterator) {
      firstTokenAt ??= performance.now();
      if (input.signal.aborted) {
        finishReason = "cancelled";
        break;
      }
      if (input.stopTokens.has(token)) break;
      generated.push(token);
      held.push(token);
      if (decodeHeld(false)) {
        if (checkStopStrings()) {
          stopped = true;
          break;
        }
        release(output.length - pendingStopPrefix(output.slice(sent), stopStrings));
      }
      if (generated.length >= input.maxTokens) {
        finishReason = "length";
        break;
      }
    }
  } finally {
    // Leaving the loop early returns the generator, which stops llama.cpp from evaluating further.
    await iterator.return();
  }
  if (input.signal.aborted) finishReason = "cancelled";
  if (!stopped) {
    decodeHeld(true);
    if (checkStopStrings()) finishReason = "stop";
  }
  let finalText = output;
  if (input.grammar?.trimWhitespaceSuffix) finalText = finalText.trimEnd();
  if (finishReason !== "cancelled") release(Math.max(sent, finalText.length));

  const ended = performance.now();
  const firstAt = firstTokenAt ?? ended;
  const promptEvaluated = input.promptTokens.length - cached;
  const promptMs = firstAt - started;
  const predictedMs = ended - firstAt;
  // The first token comes out of the prompt pass; the generation rate counts the tokens after it.
  const afterFirst = Math.max(0, generated.length - 1);
  return {
    text: finalText,
    finishReason,
    promptTokens: input.promptTokens.length,
    completionTokens: generated.length,
    timings: {
      queue_ms: input.queueMs,
      cache_n: cached,
      prompt_n: promptEvaluated,
      prompt_ms: promptMs,
      prompt_per_token_ms: promptEvaluated > 0 ? promptMs / promptEvaluated : 0,
      prompt_per_second: rate(promptEvaluated, promptMs),
      predicted_n: generated.length,
      predicted_ms: predictedMs,
      predicted_per_token_ms: afterFirst > 0 ? predictedMs / afterFirst : 0,
      predicted_per_second: rate(afterFirst, predictedMs),
    },
  };
}
