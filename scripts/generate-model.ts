import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadCorpus, trainNgramModel, writeNgramModel } from "../lib/local-models/ngram-model.ts";
import { RANDOM_MODEL_PRESETS, writeRandomModel, type RandomModelOptions } from "../lib/local-models/random-model.ts";

// `npm run models:generate -- --seed 7 --out models/random-7.gguf [--preset small|bench] [--embedding N] ...`
// Writes a llama-architecture GGUF with seeded random weights: the same seed and options give the same bytes on every
// machine (the printed sha256 lets you check). `--ngram` writes the deterministic n-gram demo model instead.

const USAGE = `Usage: npm run models:generate -- --out <file.gguf> [options]

  --seed <n>          seed of the random weights (default 1)
  --preset <name>     ${Object.entries(RANDOM_MODEL_PRESETS).map(([name, preset]) => `${name} (${preset.description})`).join(", ")}; default small
  --embedding <n>     embedding length (overrides the preset)
  --blocks <n>        transformer blocks
  --feed-forward <n>  feed-forward length
  --heads <n>         attention heads
  --vocab <n>         vocabulary size (${RANDOM_MODEL_PRESETS.small.options.vocabSize}–1732)
  --context <n>       training context length written in the header
  --name <text>       general.name in the header
  --ngram             write the n-gram demo model (trained on the shipped corpus) instead
`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer (got "${value}")`);
  return parsed;
}

async function sha256(filePath: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: "string", short: "o" },
        seed: { type: "string" },
        preset: { type: "string" },
        embedding: { type: "string" },
        blocks: { type: "string" },
        "feed-forward": { type: "string" },
        heads: { type: "string" },
        vocab: { type: "string" },
        context: { type: "string" },
        name: { type: "string" },
        ngram: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.out) {
    process.stderr.write(`--out is required\n\n${USAGE}`);
    return 2;
  }
  const out = path.resolve(values.out);
  await mkdir(path.dirname(out), { recursive: true });
  const temporary = `${out}.${process.pid}.partial`;
  const started = performance.now();
  let written: { sizeBytes: number; parameterCount: number };
  try {
    if (values.ngram) {
      written = await writeNgramModel(temporary, trainNgramModel(await loadCorpus()));
    } else {
      const presetName = values.preset ?? "small";
      const preset = RANDOM_MODEL_PRESETS[presetName as keyof typeof RANDOM_MODEL_PRESETS];
      if (!preset) throw new Error(`--preset must be one of ${Object.keys(RANDOM_MODEL_PRESETS).join(", ")} (got "${presetName}")`);
      const seed = integer("seed", values.seed) ?? 1;
      const overrides: Partial<RandomModelOptions> = {};
      const embedding = integer("embedding", values.embedding);
      const blocks = integer("blocks", values.blocks);
      const feedForward = integer("feed-forward", values["feed-forward"]);
      const heads = integer("heads", values.heads);
      const vocab = integer("vocab", values.vocab);
      const context = integer("context", values.context);
      if (embedding !== undefined) overrides.embeddingLength = embedding;
      if (blocks !== undefined) overrides.blockCount = blocks;
      if (feedForward !== undefined) overrides.feedForwardLength = feedForward;
      if (heads !== undefined) overrides.headCount = heads;
      if (vocab !== undefined) overrides.vocabSize = vocab;
      if (context !== undefined) overrides.contextLength = context;
      written = await writeRandomModel(temporary, {
        ...preset.options,
        ...overrides,
        seed,
        name: values.name ?? `Assay random ${presetName} seed ${seed}`,
      });
    }
    await rename(temporary, out);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${out}\n  ${written.parameterCount.toLocaleString("en-US")} parameters, ${(written.sizeBytes / 1e6).toFixed(1)} MB, written in ${seconds} s\n  sha256 ${await sha256(out)}\n`,
  );
  return 0;
}

process.exitCode = await main();
