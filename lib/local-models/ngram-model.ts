import { readFile } from "node:fs/promises";
import path from "node:path";
import { CONTINUATION_CHAT_TEMPLATE } from "./chat-template.ts";
import { llamaMetadata, llamaParameterCount, llamaTensors, writeGguf, type LlamaHyperparameters } from "./gguf-writer.ts";
import { buildVocabulary, SPACE, SpmTokenizer, type Vocabulary } from "./vocabulary.ts";

// A word-bigram language model trained here, written exactly into llama weights:
// - token_embd puts a one-hot vector in the residual stream: one dimension per token that was seen followed by
//   something, and dimension 0 for every other token (it predicts with the unigram distribution);
// - attention and feed-forward output matrices are zero, so the residual stream reaches the output unchanged;
// - after the final RMS norm the one-hot has height 1/sqrt(1/n + eps), so `output` holds log P(next | current)
//   scaled by the inverse of that: the logits are the bigram log-probabilities.
// Greedy decoding therefore follows the most frequent next word, ties going to the lower token id (the word seen
// first in the text), which a test recomputes from the counts alone.

export const CORPUS_PATH = path.join(import.meta.dirname, "corpus", "prompts-and-latency.txt");

/** Logit of a token never seen after the context: far below any log-probability, but finite for samplers. */
const UNSEEN_LOGIT = -30;
/** Separates tied counts so the lower token id wins whatever order the float sums come in. */
const TIE_BREAK = 1e-3;
const RMS_EPSILON = 1e-5;
const FALLBACK_DIMENSION = 0;
/** Row widths that llama.cpp's K-quants need (QK_K): tensors of other widths fall back to another type. */
const K_QUANT_BLOCK = 256;

export interface NgramModel {
  vocabulary: Vocabulary;
  tokenizer: SpmTokenizer;
  /** counts.get(current)?.get(next): how often `next` followed `current` (each line starts with BOS, ends with EOS) */
  counts: Map<number, Map<number, number>>;
  /** how often each token occurs as a next token: what the model predicts after a token it never saw followed */
  unigram: Map<number, number>;
  /** "▁latency." → [id of "▁latency", id of "."]: such a token is predicted after as its bare word is */
  punctuated: Map<number, readonly [number, number]>;
}

const WORD = /[\p{L}\p{N}']+/u;
/** Punctuation that a word token may carry; such a token continues like the bare word (see punctuatedBase). */
const TRAILING_PUNCTUATION = [".", "?", "!", ",", ":", ";"];

/**
 * Whole words (with their leading "▁") first in order of appearance, then punctuation, letters, word prefixes, and
 * each word with trailing punctuation ("▁latency."). The last ones let a chat prompt that ends a sentence ("Explain
 * latency.") still end on a token that says which word came last; the model never produces them.
 */
function corpusPieces(lines: readonly string[]): string[] {
  const words: string[] = [];
  const characters = new Set<string>([SPACE]);
  for (const line of lines) {
    for (const match of ` ${line}`.matchAll(/ ?[\p{L}\p{N}']+|[^ ]/gu)) {
      const piece = match[0].replace(" ", SPACE);
      words.push(piece);
      for (const character of piece) characters.add(character);
    }
  }
  const prefixes: string[] = [];
  const punctuated: string[] = [];
  for (const word of new Set(words)) {
    const characterList = Array.from(word);
    if (characterList[0] !== SPACE || !WORD.test(word)) continue;
    for (let length = 2; length < characterList.length; length++) prefixes.push(characterList.slice(0, length).join(""));
    for (const mark of TRAILING_PUNCTUATION) punctuated.push(word + mark);
  }
  return [...words, ...characters, ...prefixes, ...punctuated];
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Trains the bigram model on a text, one training sequence per non-empty line. */
export function trainNgramModel(text: string): NgramModel {
  const lines = text
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter((line) => line.length > 0);
  const vocabulary = buildVocabulary(corpusPieces(lines));
  const tokenizer = new SpmTokenizer(vocabulary);
  const punctuated = new Map<number, readonly [number, number]>();
  vocabulary.tokens.forEach((token, id) => {
    const mark = token.slice(-1);
    if (token.length < 3 || !TRAILING_PUNCTUATION.includes(mark)) return;
    const word = tokenizer.idOf(token.slice(0, -1));
    const markId = tokenizer.idOf(mark);
    if (word !== undefined && markId !== undefined) punctuated.set(id, [word, markId]);
  });
  const counts = new Map<number, Map<number, number>>();
  const unigram = new Map<number, number>();
  for (const line of lines) {
    // The model learns from words and punctuation apart, so it writes "latency" then "." and then ends.
    const words = tokenizer.encode(line).flatMap((id) => punctuated.get(id) ?? [id]);
    const sequence = [vocabulary.bosId, ...words, vocabulary.eosId];
    for (let index = 1; index < sequence.length; index++) {
      const current = sequence[index - 1]!;
      const next = sequence[index]!;
      let followers = counts.get(current);
      if (!followers) {
        followers = new Map();
        counts.set(current, followers);
      }
      increment(followers, next);
      increment(unigram, next);
    }
  }
  return { vocabulary, tokenizer, counts, unigram, punctuated };
}

export async function loadCorpus(): Promise<string> {
  return readFile(CORPUS_PATH, "utf8");
}

/** Log-probabilities of the next token, with ties separated in favour of the lower token id. */
function logits(distribution: Map<number, number>, vocabSize: number): Float32Array {
  const values = new Float32Array(vocabSize).fill(UNSEEN_LOGIT);
  const total = [...distribution.values()].reduce((sum, count) => sum + count, 0);
  const byCount = new Map<number, number[]>();
  for (const [token, count] of distribution) byCount.set(count, [...(byCount.get(count) ?? []), token]);
  for (const [count, tokens] of byCount) {
    tokens.sort((a, b) => a - b);
    tokens.forEach((token, rank) => {
      values[token] = Math.log(count / total) - rank * TIE_BREAK;
    });
  }
  return values;
}

function ngramHyperparameters(model: NgramModel): { hyper: LlamaHyperparameters; dimensions: Map<number, number> } {
  const dimensions = new Map<number, number>();
  for (const token of [...model.counts.keys()].sort((a, b) => a - b)) dimensions.set(token, dimensions.size + 1);
  // A multiple of 256 (llama.cpp's K-quant super-block) so K-quants are real K-quants; the extra dimensions are zero
  // in every tensor, and the output weights are scaled for this width, so the logits do not depend on the padding.
  const embeddingLength = Math.ceil((dimensions.size + 1) / K_QUANT_BLOCK) * K_QUANT_BLOCK;
  return {
    dimensions,
    hyper: {
      name: "Assay n-gram demo",
      contextLength: 2048,
      embeddingLength,
      blockCount: 1,
      feedForwardLength: K_QUANT_BLOCK,
      headCount: embeddingLength / 64,
      headCountKv: embeddingLength / 64,
      rmsEpsilon: RMS_EPSILON,
      ropeFreqBase: 10000,
    },
  };
}

/** Writes the model as a GGUF that llama.cpp runs exactly as the bigram table says. */
export async function writeNgramModel(
  filePath: string,
  model: NgramModel,
): Promise<{ sizeBytes: number; parameterCount: number }> {
  const { hyper, dimensions } = ngramHyperparameters(model);
  const vocabSize = model.vocabulary.tokens.length;
  const embd = hyper.embeddingLength;
  const normalizedHeight = 1 / Math.sqrt(1 / embd + RMS_EPSILON);
  const tensors = llamaTensors(hyper, vocabSize, {
    tokenEmbedding: () => {
      const values = new Float32Array(embd * vocabSize);
      for (let token = 0; token < vocabSize; token++) {
        const dimension = dimensions.get(contextOf(model, token)) ?? FALLBACK_DIMENSION;
        values[token * embd + dimension] = 1;
      }
      return values;
    },
    output: () => {
      const values = new Float32Array(embd * vocabSize);
      const columns: Array<[number, Map<number, number>]> = [[FALLBACK_DIMENSION, model.unigram]];
      for (const [token, dimension] of dimensions) columns.push([dimension, model.counts.get(token)!]);
      for (const [dimension, distribution] of columns) {
        const column = logits(distribution, vocabSize);
        for (let next = 0; next < vocabSize; next++) values[next * embd + dimension] = column[next]! / normalizedHeight;
      }
      return values;
    },
    outputNorm: () => new Float32Array(embd).fill(1),
    block: (_block, name, size) => new Float32Array(size).fill(name === "attn_norm" || name === "ffn_norm" ? 1 : 0),
  });
  const metadata = llamaMetadata(hyper, { ...model.vocabulary, chatTemplate: CONTINUATION_CHAT_TEMPLATE });
  const { sizeBytes } = await writeGguf(filePath, { metadata, tensors });
  return { sizeBytes, parameterCount: llamaParameterCount(hyper, vocabSize) };
}

/** The token whose followers predict what comes after `token`: itself, or the bare word of "▁latency.". */
export function contextOf(model: NgramModel, token: number): number {
  return model.punctuated.get(token)?.[0] ?? token;
}

/** The most likely next token after `current` by the counts (ties: lower id); unseen contexts use the unigram counts. */
export function mostLikelyNext(model: NgramModel, current: number): number {
  const distribution = model.counts.get(contextOf(model, current)) ?? model.unigram;
  let best = -1;
  let bestCount = 0;
  for (const [token, count] of distribution) {
    if (count > bestCount || (count === bestCount && token < best)) {
      best = token;
      bestCount = count;
    }
  }
  return best;
}

/** Greedy continuation of a prompt, computed from the counts: what llama.cpp must produce from the GGUF. */
export function greedyContinuation(model: NgramModel, prompt: string, maxTokens: number): { tokens: number[]; text: string } {
  const promptTokens = [model.vocabulary.bosId, ...model.tokenizer.encode(prompt)];
  const tokens: number[] = [];
  let current = promptTokens[promptTokens.length - 1]!;
  while (tokens.length < maxTokens) {
    const next = mostLikelyNext(model, current);
    if (next === model.vocabulary.eosId) break;
    tokens.push(next);
    current = next;
  }
  return { tokens, text: model.tokenizer.decode(tokens) };
}
