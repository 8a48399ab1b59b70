import type { Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greedyContinuation, mostLikelyNext } from "../../../lib/local-models/ngram-model.ts";
import { testLlama, writeTestModels, type TestModels } from "../../support/local-models.ts";

// The n-gram demo model is a bigram table written into llama weights. These tests run it in llama.cpp itself and
// check it against the table: the tokenizer must split text exactly as llama.cpp does, and greedy decoding must
// follow the most frequent next word.

let models: TestModels;
let llama: Llama;
let model: LlamaModel;
let context: LlamaContext;

beforeAll(async () => {
  models = await writeTestModels();
  llama = await testLlama();
  model = await llama.loadModel({ modelPath: models.ngramPath });
  context = await model.createContext({ contextSize: 512, threads: 1 });
}, 60_000);

afterAll(async () => {
  await context?.dispose();
  await model?.dispose();
  await models?.remove();
});

async function greedy(prompt: string, maxTokens: number): Promise<Token[]> {
  const sequence = context.getSequence();
  try {
    const tokens: Token[] = [];
    const input = [model.tokens.bos!, ...model.tokenize(prompt)];
    for await (const token of sequence.evaluate(input, { temperature: 0 })) {
      tokens.push(token);
      if (tokens.length >= maxTokens) break;
    }
    return tokens;
  } finally {
    sequence.dispose();
  }
}

describe("the project's SentencePiece tokenizer", () => {
  const texts = [
    "Latency is the time between the request and the answer.",
    "A small model writes faster than a large model.",
    "Explain latency.",
    "  two  spaces and a tab\there",
    "Quantization, distillation; pruning: why?",
    "naïve café — 😀 in 2025!",
    "tokens per second",
    "prompt",
    "",
  ];

  it.each(texts)("splits %j exactly as llama.cpp does", (text) => {
    expect(models.ngram.tokenizer.encode(text)).toEqual([...model.tokenize(text)]);
  });

  it("decodes tokens to the text llama.cpp prints", () => {
    const tokens = model.tokenize("Users notice latency long before they notice quality.");
    // Without preceding tokens llama.cpp drops the space SentencePiece puts before the first word.
    expect(models.ngram.tokenizer.decode([...tokens])).toBe(` ${model.detokenize(tokens)}`);
    expect(models.ngram.tokenizer.decode([...tokens])).toBe(model.detokenize(tokens, false, model.tokenize("Why")));
  });
});

describe("the n-gram model in llama.cpp", () => {
  const prompts = [
    "Latency is",
    "A small model",
    "Tokens per second",
    "Streaming shows the first words early",
    "We measure the student",
    "Explain latency.",
    "Why is the answer",
    "zebra", // a word the corpus never saw: the unigram fallback
  ];

  it.each(prompts)("continues %j greedily exactly as the counts say", async (prompt) => {
    const expected = greedyContinuation(models.ngram, prompt, 24);
    const actual = await greedy(prompt, 24);
    // llama.cpp stops at end-of-sequence, which the expectation leaves out.
    expect(actual).toEqual(expected.tokens);
    expect(model.detokenize(actual, false, model.tokenize(prompt))).toBe(expected.text);
  });

  it("predicts, after every word it saw followed, the most frequent follower", async () => {
    // One evaluation per context token, each checked against the table.
    const contexts = [...models.ngram.counts.keys()].filter((token) => token !== models.ngram.vocabulary.bosId);
    for (const current of contexts) {
      const sequence = context.getSequence();
      try {
        const iterator = sequence.evaluate([model.tokens.bos!, current as Token], { temperature: 0, yieldEogToken: true });
        const { value } = await iterator.next();
        await iterator.return();
        expect([current, value]).toEqual([current, mostLikelyNext(models.ngram, current)]);
      } finally {
        sequence.dispose();
      }
    }
  });
});
