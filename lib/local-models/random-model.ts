import { CONTINUATION_CHAT_TEMPLATE } from "./chat-template.ts";
import {
  llamaMetadata,
  llamaParameterCount,
  llamaTensors,
  writeGguf,
  type BlockTensorName,
  type LlamaHyperparameters,
} from "./gguf-writer.ts";
import { seededRandom } from "./random.ts";
import { buildVocabulary, SPACE, type Vocabulary } from "./vocabulary.ts";

// A llama model with random weights: gibberish output, but real llama.cpp work per token, so it exercises and
// measures the serving path. Same seed and options, same bytes.

export interface RandomModelOptions {
  seed: number;
  name?: string;
  vocabSize?: number;
  embeddingLength?: number;
  blockCount?: number;
  feedForwardLength?: number;
  headCount?: number;
  contextLength?: number;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** Sizes the project writes: the demo/test model and one large enough that generation speed is measurable. */
export const RANDOM_MODEL_PRESETS = {
  small: {
    // Widths are multiples of 256 (llama.cpp's K-quant super-block), so Q4_K_M & co. quantize every tensor as asked.
    description: "≈0.9M parameters, 3.7 MB: tests and the demo",
    options: { vocabSize: 512, embeddingLength: 256, blockCount: 1, feedForwardLength: 512 },
  },
  bench: {
    description: "≈27M parameters, 108 MB: benchmarks",
    options: { vocabSize: 1732, embeddingLength: 512, blockCount: 8, feedForwardLength: 1408 },
  },
} as const satisfies Record<string, { description: string; options: Omit<RandomModelOptions, "seed"> }>;

/** Byte tokens, printable ASCII, "▁" + letter, then letter pairs, until `size` tokens. */
export function randomModelVocabulary(size: number): Vocabulary {
  const pieces: string[] = [SPACE];
  for (let code = 0x21; code <= 0x7e; code++) pieces.push(String.fromCharCode(code));
  for (const letter of LETTERS) pieces.push(SPACE + letter);
  outer: for (const first of LETTERS) {
    for (const second of LETTERS) {
      for (const prefix of ["", SPACE]) {
        if (3 + 256 + pieces.length >= size) break outer;
        pieces.push(prefix + first + second);
      }
    }
  }
  const vocabulary = buildVocabulary(pieces);
  if (vocabulary.tokens.length !== size) {
    throw new Error(`vocabSize must be between ${3 + 256 + 1 + 94 + 26} and ${3 + 256 + 1 + 94 + 26 + 2 * 26 * 26}`);
  }
  return vocabulary;
}

function randomModelHyperparameters(options: RandomModelOptions): LlamaHyperparameters {
  const small = RANDOM_MODEL_PRESETS.small.options;
  const embeddingLength = options.embeddingLength ?? small.embeddingLength;
  const headCount = options.headCount ?? Math.max(1, embeddingLength / 32);
  if (embeddingLength % headCount !== 0 || (embeddingLength / headCount) % 2 !== 0) {
    throw new Error("embeddingLength must split into an even head size");
  }
  return {
    name: options.name ?? `assay-random-${options.seed}`,
    contextLength: options.contextLength ?? 2048,
    embeddingLength,
    blockCount: options.blockCount ?? small.blockCount,
    feedForwardLength: options.feedForwardLength ?? small.feedForwardLength,
    headCount,
    headCountKv: headCount,
    rmsEpsilon: 1e-5,
    ropeFreqBase: 10000,
  };
}

const BLOCK_TENSOR_INDEX: Record<BlockTensorName, number> = {
  attn_norm: 0,
  attn_q: 1,
  attn_k: 2,
  attn_v: 3,
  attn_output: 4,
  ffn_norm: 5,
  ffn_gate: 6,
  ffn_up: 7,
  ffn_down: 8,
};

/** Each tensor draws from its own stream, so its values do not depend on the order tensors are written in. */
function uniform(seed: number, stream: number, size: number, scale: number): Float32Array {
  const next = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0);
  const values = new Float32Array(size);
  for (let index = 0; index < size; index++) values[index] = (next() * 2 - 1) * scale;
  return values;
}

export function randomModelParameterCount(options: RandomModelOptions): number {
  return llamaParameterCount(randomModelHyperparameters(options), options.vocabSize ?? 512);
}

/** Writes a random llama model (by default the small preset: ≈0.9M parameters, ≈3.7 MB, widths of 256). Returns the file size and parameter count. */
export async function writeRandomModel(
  filePath: string,
  options: RandomModelOptions,
): Promise<{ sizeBytes: number; parameterCount: number }> {
  const hyper = randomModelHyperparameters(options);
  const vocabulary = randomModelVocabulary(options.vocabSize ?? 512);
  const vocabSize = vocabulary.tokens.length;
  const embd = hyper.embeddingLength;
  const ones = (size: number) => new Float32Array(size).fill(1);
  const tensors = llamaTensors(hyper, vocabSize, {
    tokenEmbedding: () => uniform(options.seed, 0, embd * vocabSize, 1),
    output: () => uniform(options.seed, 1, embd * vocabSize, 4 / Math.sqrt(embd)),
    outputNorm: () => ones(embd),
    block: (block, name, size) => {
      if (name === "attn_norm" || name === "ffn_norm") return ones(size);
      const fanIn = name === "ffn_down" ? hyper.feedForwardLength : embd;
      return uniform(options.seed, 2 + block * 16 + BLOCK_TENSOR_INDEX[name], size, 1 / Math.sqrt(fanIn));
    },
  });
  const metadata = llamaMetadata(hyper, { ...vocabulary, chatTemplate: CONTINUATION_CHAT_TEMPLATE });
  const { sizeBytes } = await writeGguf(filePath, { metadata, tensors });
  return { sizeBytes, parameterCount: llamaParameterCount(hyper, vocabSize) };
}
