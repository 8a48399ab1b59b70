import { readFile } from "node:fs/promises";
import path from "node:path";
import { llamaMetadata, llamaParameterCount, llamaTensors, writeGguf, type LlamaHyperparameters } from "./gguf-writer.ts";
import { buildVocabulary, SPACE, SpmTokenizer, type Vocabulary } from "./vocabulary.ts";

// A bag-of-words support-ticket classifier trained here and written exactly into llama weights, so the demo's label
// prompt gets answers that depend on the message (the n-gram model only continues the last word):
// - token_embd: every token has 1 in the ONE dimension, its per-class evidence (naive-Bayes log-odds, kept when
//   positive) in the EVIDENCE dimensions, and a padding value that gives every embedding the same length, so the
//   attention's RMS norm scales all tokens alike;
// - attention: Q and K are zero, so every position attends uniformly to all tokens so far: the value vectors copy the
//   evidence, and the attention output is the average evidence of the whole context (a bag of words), added to the
//   residual stream in the AVERAGE dimensions; the feed-forward block is zero;
// - output: each class's label token scores its average evidence, so the first token is the class with the most
//   evidence in the context (BOS carries a small prior for "other", the answer when nothing points elsewhere); a
//   label token carries the MARKER dimension, which makes end-of-sequence the next token, so the answer is one word.
// Everything in the context counts, system prompt and examples included: that is why a few-shot version answers
// differently from a zero-shot one. `predictLabel` recomputes the answer from the counts, as llama.cpp must.

export const SUPPORT_CORPUS_PATH = path.join(import.meta.dirname, "corpus", "support-messages.tsv");

/** The chat template this model carries: contents one per line; an assistant turn ends with end-of-sequence. */
export const CLASSIFIER_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ message['content'] }}\n{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}{% endfor %}";

const EMBEDDING_LENGTH = 256;
const HEAD_COUNT = 4;
const ONE = 0;
const MARKER = 1;
const PAD = 2;
const EVIDENCE = 8;
const AVERAGE = 32;
const MAX_CLASSES = 16;
const RMS_EPSILON = 1e-5;
/** Laplace smoothing of the word counts */
const SMOOTHING = 0.5;
/** Evidence for "other" carried by BOS: a message needs more than this for another class. */
const OTHER_PRIOR = 0.3;
/** Separates classes with equal evidence: the one listed first wins. */
const TIE_BREAK = 1e-4;
const CLASS_SCALE = 1000;
const END_SCALE = 1e6;
const END_OFFSET = -50;
const OTHER_TOKEN_LOGIT = -100;

export interface ClassifierModel {
  classes: string[];
  vocabulary: Vocabulary;
  tokenizer: SpmTokenizer;
  /** per token id: evidence for each class (non-negative), absent for tokens without any */
  evidence: Map<number, number[]>;
  /** the token each class answers with (its label, without a leading space) */
  labelTokens: number[];
}

const WORD = /[\p{L}\p{N}']+/gu;

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Parses "label<TAB>message" lines. */
export function parseSupportCorpus(text: string): Array<{ label: string; message: string }> {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line, index) => {
      const [label, message] = line.split("\t");
      if (!label || !message) throw new Error(`${SUPPORT_CORPUS_PATH} line ${index + 1}: expected "label<TAB>message"`);
      return { label, message };
    });
}

export async function loadSupportCorpus(): Promise<string> {
  return readFile(SUPPORT_CORPUS_PATH, "utf8");
}

/** Trains the classifier: classes in order of first appearance, "other" last (it is the prior's class). */
export function trainClassifierModel(text: string): ClassifierModel {
  const rows = parseSupportCorpus(text);
  const classes = [...new Set(rows.map((row) => row.label))].sort((a, b) => Number(a === "other") - Number(b === "other"));
  if (classes.length > MAX_CLASSES) throw new Error(`at most ${MAX_CLASSES} classes, the corpus has ${classes.length}`);
  const counts = new Map<string, number[]>();
  for (const row of rows) {
    const classIndex = classes.indexOf(row.label);
    for (const match of row.message.toLowerCase().matchAll(WORD)) {
      const perClass = counts.get(match[0]) ?? new Array<number>(classes.length).fill(0);
      perClass[classIndex]! += 1;
      counts.set(match[0], perClass);
    }
  }
  const wordEvidence = new Map<string, number[]>();
  for (const [word, perClass] of counts) {
    const total = perClass.reduce((sum, count) => sum + count, 0);
    const evidence = perClass.map((count) => Math.max(0, Math.log((classes.length * (count + SMOOTHING)) / (total + classes.length * SMOOTHING))));
    if (evidence.some((value) => value > 0)) wordEvidence.set(word, evidence);
  }

  // Whole words with and without the leading "▁" (a message's first word follows a newline), lower case and
  // capitalized, each reachable through its prefixes by the SPM merges; then single characters; then the label tokens.
  const pieces: string[] = [SPACE];
  const characters = new Set<string>();
  const inputForms = new Map<string, string>();
  for (const word of counts.keys()) {
    for (const form of new Set([word, capitalized(word)])) {
      for (const piece of [SPACE + form, form]) {
        if (classes.includes(piece)) continue; // a bare label is the answer token, added below
        const letters = Array.from(piece);
        for (let length = 2; length <= letters.length; length++) pieces.push(letters.slice(0, length).join(""));
        inputForms.set(piece, word);
      }
      for (const character of form) characters.add(character);
    }
  }
  for (const label of classes) for (const character of label) characters.add(character);
  const vocabulary = buildVocabulary([...pieces, ...characters, ...classes]);
  const tokenizer = new SpmTokenizer(vocabulary);
  const evidence = new Map<number, number[]>();
  for (const [piece, word] of inputForms) {
    const values = wordEvidence.get(word);
    const id = tokenizer.idOf(piece);
    if (values && id !== undefined) evidence.set(id, values);
  }
  const labelTokens = classes.map((label) => tokenizer.idOf(label)!);
  // A bare label in the input (after a newline) counts for its class as the word does.
  labelTokens.forEach((id, index) => {
    const values = new Array<number>(classes.length).fill(0);
    values[index] = wordEvidence.get(classes[index]!)?.[index] ?? 0;
    evidence.set(id, values);
  });
  const prior = classes.map((label, index) => (label === "other" ? OTHER_PRIOR : 0) + (classes.length - index) * TIE_BREAK);
  evidence.set(vocabulary.bosId, prior);
  return { classes, vocabulary, tokenizer, evidence, labelTokens };
}

function hyperparameters(): LlamaHyperparameters {
  return {
    name: "Assay triage demo classifier",
    contextLength: 2048,
    embeddingLength: EMBEDDING_LENGTH,
    blockCount: 1,
    feedForwardLength: 256,
    headCount: HEAD_COUNT,
    headCountKv: HEAD_COUNT,
    rmsEpsilon: RMS_EPSILON,
    ropeFreqBase: 10000,
  };
}

/** The common length of every embedding: room for the longest evidence vector, the marker and ONE. */
function embeddingNorm(model: ClassifierModel): number {
  let longest = 0;
  for (const values of model.evidence.values()) longest = Math.max(longest, values.reduce((sum, value) => sum + value * value, 0));
  return Math.ceil(Math.sqrt(longest + 2)) + 1;
}

/** Writes the classifier as a GGUF that llama.cpp runs exactly as `predictLabel` says. */
export async function writeClassifierModel(filePath: string, model: ClassifierModel): Promise<{ sizeBytes: number; parameterCount: number }> {
  const hyper = hyperparameters();
  const embd = hyper.embeddingLength;
  const vocabSize = model.vocabulary.tokens.length;
  const norm = embeddingNorm(model);
  const labelIds = new Set(model.labelTokens);
  const tensors = llamaTensors(hyper, vocabSize, {
    tokenEmbedding: () => {
      const values = new Float32Array(embd * vocabSize);
      for (let token = 0; token < vocabSize; token++) {
        const row = token * embd;
        const evidence = model.evidence.get(token) ?? [];
        let squared = 1;
        values[row + ONE] = 1;
        if (labelIds.has(token)) {
          values[row + MARKER] = 1;
          squared += 1;
        }
        evidence.forEach((value, index) => {
          values[row + EVIDENCE + index] = value;
          squared += value * value;
        });
        values[row + PAD] = Math.sqrt(Math.max(0, norm * norm - squared));
      }
      return values;
    },
    block: (_block, name, size) => {
      const values = new Float32Array(size);
      if (name === "attn_norm" || name === "ffn_norm") values.fill(1);
      // [n_embd in, n_embd out] stored row by row: values[out * n_embd + in]
      if (name === "attn_v") model.classes.forEach((_, index) => (values[index * embd + EVIDENCE + index] = 1));
      if (name === "attn_output") model.classes.forEach((_, index) => (values[(AVERAGE + index) * embd + index] = 1));
      return values;
    },
    outputNorm: () => new Float32Array(embd).fill(1),
    output: () => {
      const values = new Float32Array(embd * vocabSize);
      for (let token = 0; token < vocabSize; token++) values[token * embd + ONE] = OTHER_TOKEN_LOGIT;
      const eos = model.vocabulary.eosId * embd;
      values[eos + ONE] = END_OFFSET;
      values[eos + MARKER] = END_SCALE;
      model.labelTokens.forEach((token, index) => {
        values[token * embd + ONE] = 0;
        values[token * embd + AVERAGE + index] = CLASS_SCALE;
      });
      return values;
    },
  });
  const metadata = llamaMetadata(hyper, { ...model.vocabulary, chatTemplate: CLASSIFIER_CHAT_TEMPLATE });
  const { sizeBytes } = await writeGguf(filePath, { metadata, tensors });
  return { sizeBytes, parameterCount: llamaParameterCount(hyper, vocabSize) };
}

/** What the chat template renders for these messages, without BOS (which `predictLabel` adds as a token). */
export function classifierPromptText(messages: ReadonlyArray<{ role: string; content: string }>): string {
  return messages.map((message) => `${message.content}\n${message.role === "assistant" ? "</s>" : ""}`).join("");
}

/**
 * The class the model answers for this prompt text: the most evidence summed over BOS and the prompt's tokens
 * (the average's denominator is the same for every class, so it does not change the winner).
 */
export function predictLabel(model: ClassifierModel, promptText: string): string {
  const tokens = [model.vocabulary.bosId, ...model.tokenizer.encode(promptText.replaceAll("</s>", ""))];
  const totals = new Array<number>(model.classes.length).fill(0);
  for (const token of tokens) (model.evidence.get(token) ?? []).forEach((value, index) => (totals[index]! += value));
  let best = 0;
  totals.forEach((total, index) => {
    if (total > totals[best]!) best = index;
  });
  return model.classes[best]!;
}
