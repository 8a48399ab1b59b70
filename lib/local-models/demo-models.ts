import { access, mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { loadCorpus, trainNgramModel, writeNgramModel } from "./ngram-model.ts";
import { writeRandomModel } from "./random-model.ts";
import { loadSupportCorpus, trainClassifierModel, writeClassifierModel } from "./classifier-model.ts";

// The models `npm start` puts in the models folder so the offline demo has something to run: the n-gram model
// (deterministic, readable output) and a ≈1M-parameter random model (gibberish, but a real transformer).

export const NGRAM_DEMO_MODEL = "assay-ngram-demo";
export const RANDOM_DEMO_MODEL = "assay-random-1m";
export const RANDOM_DEMO_SEED = 1;
/** the bag-of-words ticket classifier the demo's label prompt runs on (classifier-model.ts) */
export const TRIAGE_DEMO_MODEL = "assay-triage-demo";

async function exists(filePath: string): Promise<boolean> {
  try {
    await access(filePath);
    return true;
  } catch {
    // Missing or unreadable alike: the demo model is (re)written, and a write that cannot happen reports its own error.
    return false;
  }
}

/** Writes next to the target and renames, so a crash never leaves a half-written model the server would try to load. */
async function writeAtomically(filePath: string, write: (temporaryPath: string) => Promise<unknown>): Promise<void> {
  const temporaryPath = `${filePath}.${process.pid}.partial`;
  await write(temporaryPath);
  await rename(temporaryPath, filePath);
}

/** Writes the demo models that are missing from `modelsDir`; returns the paths it wrote (empty when all existed). */
export async function ensureDemoModels(modelsDir: string): Promise<string[]> {
  await mkdir(modelsDir, { recursive: true });
  const written: string[] = [];
  const ngramPath = path.join(modelsDir, `${NGRAM_DEMO_MODEL}.gguf`);
  if (!(await exists(ngramPath))) {
    const model = trainNgramModel(await loadCorpus());
    await writeAtomically(ngramPath, (temporaryPath) => writeNgramModel(temporaryPath, model));
    written.push(ngramPath);
  }
  const randomPath = path.join(modelsDir, `${RANDOM_DEMO_MODEL}.gguf`);
  if (!(await exists(randomPath))) {
    await writeAtomically(randomPath, (temporaryPath) =>
      writeRandomModel(temporaryPath, { seed: RANDOM_DEMO_SEED, name: "Assay random 1M" }),
    );
    written.push(randomPath);
  }
  return written;
}

/**
 * The demo workspace's classifier (`npm start` writes it beside the two above; kept apart so a models folder made
 * for tests of the serving path holds only those two). Returns the path when it wrote it.
 */
export async function ensureTriageDemoModel(modelsDir: string): Promise<string | null> {
  await mkdir(modelsDir, { recursive: true });
  const triagePath = path.join(modelsDir, `${TRIAGE_DEMO_MODEL}.gguf`);
  if (await exists(triagePath)) return null;
  const model = trainClassifierModel(await loadSupportCorpus());
  await writeAtomically(triagePath, (temporaryPath) => writeClassifierModel(temporaryPath, model));
  return triagePath;
}
