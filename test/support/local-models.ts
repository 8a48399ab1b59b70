import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL, ensureDemoModels } from "../../lib/local-models/demo-models.ts";
import { loadCorpus, trainNgramModel, type NgramModel } from "../../lib/local-models/ngram-model.ts";

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
