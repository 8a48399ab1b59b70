import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL, ensureDemoModels } from "../../lib/local-models/demo-models.ts";
import { loadCorpus, trainNgramModel, writeNgramModel, type NgramModel } from "../../lib/local-models/ngram-model.ts";
import { buildVocabulary, SPACE, SpmTokenizer } from "../../lib/local-models/vocabulary.ts";

// A temporary models folder holding the project's two demo models, and the n-gram model's counts to check against.

export interface TestModels {
  dir: string;
  ngramId: string;
  ngramPath: string;
  randomId: string;
  randomPath: string;
  ngram: NgramModel;
  remove(): Promise<void>;
}

export async function writeTestModels(): Promise<TestModels> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "assay-models-"));
  await ensureDemoModels(dir);
  return {
    dir,
    ngramId: NGRAM_DEMO_MODEL,
    ngramPath: path.join(dir, `${NGRAM_DEMO_MODEL}.gguf`),
    randomId: RANDOM_DEMO_MODEL,
    randomPath: path.join(dir, `${RANDOM_DEMO_MODEL}.gguf`),
    ngram: trainNgramModel(await loadCorpus()),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One CPU-only llama.cpp per test file; nothing is compiled or downloaded. */
export function testLlama(): Promise<Llama> {
  return getLlama({ build: "never", gpu: false });
}

/**
 * A model that always writes the same bytes, one byte token at a time: "😀" (4 bytes), " ok", "≈" (3 bytes), then
 * end-of-sequence. Multi-byte characters arrive split across tokens, which is what streaming must never pass on.
 */
export const SCRIPTED_TEXT = "😀 ok≈";

export async function writeScriptedModel(filePath: string): Promise<void> {
  const vocabulary = buildVocabulary([`${SPACE}ok`]);
  const tokenizer = new SpmTokenizer(vocabulary);
  const byte = (value: number) => 3 + value;
  const chain = [
    vocabulary.bosId,
    ...[0xf0, 0x9f, 0x98, 0x80].map(byte),
    tokenizer.idOf(`${SPACE}ok`)!,
    ...[0xe2, 0x89, 0x88].map(byte),
    vocabulary.eosId,
  ];
  const counts = new Map<number, Map<number, number>>();
  for (let index = 0; index + 1 < chain.length; index++) counts.set(chain[index]!, new Map([[chain[index + 1]!, 1]]));
  // Whatever the prompt ends with, the script starts.
  const unigram = new Map([[chain[1]!, 1]]);
  await writeNgramModel(filePath, { vocabulary, tokenizer, counts, unigram, punctuated: new Map() });
}
