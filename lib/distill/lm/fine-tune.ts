import { existsSync } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { getLlama, resolveChatWrapper, type LlamaModel, type Token } from "node-llama-cpp";
import { AppError } from "../../errors.ts";
import { readGgufInfo } from "../../local-models/gguf-info.ts";
import type { LoadedModel } from "../../local-models/model-pool.ts";
import { prepareChatPrompt } from "../../local-models/prompt.ts";
import { seededRandom, shuffle } from "../random.ts";
import { loadTrainBinding, trainingContextParams, trainingModelParams } from "./llama-train.ts";
import { rewriteStudentGguf } from "./gguf-patch.ts";

// The LM student (issue #12, experimental): full fine-tuning of a GGUF model (F32 weights) on the teacher's
// input → output pairs with llama.cpp's own training functions (llama_opt_init / llama_opt_epoch, AdamW, every tensor
// but the token embedding, which llama.cpp leaves frozen), saved with llama_model_save_to_file.
//
// Each pair is one training sequence: the chat prompt the model server builds for the input (BOS + the input's tokens
// with the project's continuation template), the output's tokens, EOS, padded with EOS to the longest sequence. The loss is over the whole sequence (every next token, the input's too): llama_opt_epoch sets a
// label at every position and has no mask, so "loss only on the output tokens" is not available through it. The
// input is tokenized exactly as the model server tokenizes a chat prompt (lib/local-models/prompt.ts), so the
// trained continuation is what `student:<name>` generates for it; see prompt-format.ts for the chat messages → input.
//
// llama.cpp pads a context to a multiple of 256 tokens, and llama_opt_epoch walks the first n_ctx_train positions of
// each datapoint: training passes n_ctx_train = the sequence length, so a 20-token pair costs 20 positions, not 256.
// llama_opt_init writes that n_ctx_train into the model, and llama_model_save_to_file drops the chat template, so the
// saved file gets the base's context length and chat template back (gguf-patch.ts) before it is renamed into place.

export interface FineTunePair {
  /** the text the model is given (the rendered prompt as the model server would format it) */
  input: string;
  /** the text it must learn to answer */
  output: string;
}

export interface FineTuneOptions {
  /** the F32 GGUF to start from */
  baseFile: string;
  pairs: FineTunePair[];
  /** written complete or not at all (a temporary file renamed at the end) */
  outFile: string;
  epochs: number;
  learningRate: number;
  threads?: number;
  seed?: number;
  /** called after every epoch (and may be called more often) with the training loss */
  onLoss?: (point: { step: number; epoch: number; loss: number }) => void;
  /** stops after the current epoch; the output file is not written */
  signal?: AbortSignal;
}

export interface FineTuneResult {
  finalLoss: number;
  epochs: number;
  trainTokens: number;
  milliseconds: number;
  sizeBytes: number;
}

/** Training memory per byte of F32 weights: the weights, their gradients and AdamW's two moments. */
export const TRAIN_BYTES_PER_WEIGHT_BYTE = 4;
/** Default for ASSAY_TRAIN_MAX_BYTES: 8 GiB of training memory (a 2 GiB F32 base), a third of a 24 GiB machine. */
export const DEFAULT_TRAIN_MAX_BYTES = 8 * 1024 ** 3;
/** Longest training sequence (BOS + input + output + EOS) accepted, in tokens. */
export const MAX_SEQUENCE_TOKENS = 512;

export function trainMemoryBudget(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ASSAY_TRAIN_MAX_BYTES;
  if (raw === undefined || raw === "") return DEFAULT_TRAIN_MAX_BYTES;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new AppError("bad_request", "ASSAY_TRAIN_MAX_BYTES", `ASSAY_TRAIN_MAX_BYTES must be a positive whole number of bytes (got "${raw}")`);
  }
  return value;
}

export class FineTuneCancelled extends Error {
  constructor() {
    super("Fine-tuning was cancelled: no file was written");
    this.name = "AbortError";
  }
}

function checkOptions(options: FineTuneOptions): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 1 || options.epochs > 10_000) {
    throw new AppError("bad_request", "epochs", `epochs must be a whole number from 1 to 10000 (got ${options.epochs})`);
  }
  if (!Number.isFinite(options.learningRate) || options.learningRate <= 0 || options.learningRate >= 1) {
    throw new AppError("bad_request", "learningRate", `learningRate must be between 0 and 1 (got ${options.learningRate})`);
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new AppError("bad_request", "threads", `threads must be a whole number from 1 to 256 (got ${threads})`);
  }
  if (!Array.isArray(options.pairs) || options.pairs.length === 0) {
    throw new AppError("bad_request", "pairs", "No training pairs: an LM student needs the teacher's input → output pairs");
  }
  options.pairs.forEach((pair, index) => {
    if (typeof pair?.input !== "string") throw new AppError("bad_request", `pairs[${index}].input`, `pairs[${index}].input must be text`);
    if (typeof pair.output !== "string" || pair.output.length === 0) {
      throw new AppError("bad_request", `pairs[${index}].output`, `pairs[${index}].output is empty: nothing to learn`);
    }
  });
}

/** Bad input refused before anything is loaded or written: not a GGUF, not F32, over the memory budget, out exists. */
async function checkFiles(options: FineTuneOptions): Promise<{ contextLength: number; chatTemplate: string | null; sizeBytes: number }> {
  const name = path.basename(options.baseFile);
  let size: number;
  try {
    const info = await stat(options.baseFile);
    if (!info.isFile()) throw new AppError("bad_request", "baseFile", `${options.baseFile} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("bad_request", "baseFile", `Cannot read the base model ${options.baseFile}: ${(error as Error).message}`);
  }
  const head = Buffer.alloc(4);
  const handle = await open(options.baseFile, "r");
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (!head.equals(Buffer.from("GGUF"))) throw new AppError("bad_request", "baseFile", `${name} is not a GGUF file (no GGUF header)`);
  const info = await readGgufInfo(options.baseFile);
  if (info.quantization !== "F32") {
    throw new AppError(
      "bad_request",
      "baseFile",
      `${name} is ${info.quantization}: llama.cpp's training needs F32 weights (start from an F32 GGUF, not a quantized or F16 one)`,
    );
  }
  const budget = trainMemoryBudget();
  const needed = size * TRAIN_BYTES_PER_WEIGHT_BYTE;
  if (needed > budget) {
    throw new AppError(
      "bad_request",
      "baseFile",
      `${name} needs about ${needed} bytes to train (weights, gradients, optimizer state), more than the memory budget of ${budget} bytes (ASSAY_TRAIN_MAX_BYTES)`,
    );
  }
  if (existsSync(options.outFile)) throw new AppError("conflict", "outFile", `${options.outFile} already exists`);
  if (!existsSync(path.dirname(options.outFile))) {
    throw new AppError("bad_request", "outFile", `The folder of ${options.outFile} does not exist`);
  }
  return { contextLength: info.contextLength ?? 0, chatTemplate: info.chatTemplate ?? null, sizeBytes: size };
}

/**
 * The pair as the model sees it in training: the prompt tokens the model server builds for a chat request whose user
 * message is the input (prepareChatPrompt: the GGUF's chat template, node-llama-cpp's tokenizer), the output's
 * tokens, EOS. (The completions path tokenizes a bare prompt differently — an SPM tokenizer adds a leading "▁" there —
 * so the student is trained for chat requests.)
 */
export function pairTokens(model: LlamaModel, pair: FineTunePair): { sequence: Token[]; promptLength: number } {
  const eos = model.tokens.eos;
  if (eos === null) throw new AppError("bad_request", "baseFile", "The base model has no end-of-sequence token: a reply could never end");
  const chat = { model, chatWrapper: resolveChatWrapper(model) } as unknown as LoadedModel;
  const prompt = prepareChatPrompt(chat, [{ role: "user", content: pair.input }], []).tokens;
  // The output's tokens as they follow the prompt: with a continuation template, the input + output rendered the
  // same way keeps the prompt's tokens when the boundary does not merge; otherwise (a boundary merge, or a template
  // that wraps the user turn in markers) the output alone, its leading space as written.
  const whole = prepareChatPrompt(chat, [{ role: "user", content: pair.input + pair.output }], []).tokens;
  const keepsPrompt = whole.length > prompt.length && prompt.every((token, index) => whole[index] === token);
  const output = keepsPrompt ? whole.slice(prompt.length) : model.tokenize(pair.output, false, "trimLeadingSpace");
  return { sequence: [...prompt, ...output, eos], promptLength: prompt.length };
}

export async function fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  checkOptions(options);
  const base = await checkFiles(options);
  const started = performance.now();
  const threads = options.threads ?? 1;
  const random = seededRandom(options.seed ?? 1);

  // Tokenize with node-llama-cpp's tokenizer (a vocabulary-only load), the one the model server uses.
  const llama = await getLlama({ build: "never", gpu: false });
  const vocabModel = await llama.loadModel({ modelPath: options.baseFile, vocabOnly: true });
  let sequences: Token[][];
  let eos: number;
  try {
    sequences = options.pairs.map((pair, index) => {
      const { sequence } = pairTokens(vocabModel, pair);
      if (sequence.length > MAX_SEQUENCE_TOKENS) {
        throw new AppError(
          "bad_request",
          `pairs[${index}]`,
          `pairs[${index}] is ${sequence.length} tokens (input, output, BOS and EOS); at most ${MAX_SEQUENCE_TOKENS} are trained`,
        );
      }
      if (base.contextLength > 0 && sequence.length > base.contextLength) {
        throw new AppError(
          "bad_request",
          `pairs[${index}]`,
          `pairs[${index}] is ${sequence.length} tokens, longer than the base model's context of ${base.contextLength}`,
        );
      }
      return sequence;
    });
    eos = vocabModel.tokens.eos!;
  } finally {
    await vocabModel.dispose();
  }
  // Every datapoint is `width` positions: tokens 0..width-1 predict tokens 1..width (EOS after the end).
  const width = Math.max(8, Math.ceil((Math.max(...sequences.map((sequence) => sequence.length)) - 1) / 8) * 8);

  const lib = loadTrainBinding();
  const temporary = path.join(path.dirname(options.outFile), `.${path.basename(options.outFile)}.${process.pid}.partial`);
  const saved = `${temporary}.saved`;
  const model = await lib.loadModel(options.baseFile, trainingModelParams(lib.modelDefaults()));
  if (!model) throw new AppError("bad_request", "baseFile", `llama.cpp could not load ${path.basename(options.baseFile)}`);
  let context: unknown = null;
  let dataset: unknown = null;
  let result: unknown = null;
  const optimizer = lib.optimizerParams();
  try {
    const vocabSize = lib.vocabSize(model);
    for (const [index, sequence] of sequences.entries()) {
      const bad = sequence.find((token) => token < 0 || token >= vocabSize);
      if (bad !== undefined) throw new AppError("bad_request", `pairs[${index}]`, `pairs[${index}] has token ${bad}, outside the vocabulary of ${vocabSize}`);
    }
    context = await lib.initContext(model, trainingContextParams(lib.contextDefaults(), width, threads));
    if (!context) throw new AppError("bad_request", "baseFile", `llama.cpp could not create a training context for ${path.basename(options.baseFile)}`);
    const datapoint = lib.contextLength(context);
    if (datapoint < width) throw new Error(`llama.cpp gave a context of ${datapoint} tokens for sequences of ${width}`);
    await lib.warmUp(context, sequences[0]![0]!);
    optimizer.set(options.learningRate, 0);
    lib.optInit(context, model, width, optimizer.pointer);
    dataset = lib.datasetInit(datapoint, sequences.length);
    result = lib.resultInit();

    const data = new Int32Array(datapoint * sequences.length).fill(eos);
    const labels = new Int32Array(datapoint * sequences.length).fill(eos);
    let finalLoss = Number.NaN;
    let epochsDone = 0;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      if (options.signal?.aborted) throw new FineTuneCancelled();
      // The learning rate falls linearly from learningRate to a tenth of it over the epochs (read by llama.cpp
      // before every optimizer step): a constant rate high enough to learn fast wobbles once the loss is low.
      const progress = options.epochs === 1 ? 0 : (epoch - 1) / (options.epochs - 1);
      optimizer.set(options.learningRate * (1 - 0.9 * progress), 0);
      // A new seeded order each epoch (llama_opt_epoch walks the dataset in order).
      shuffle(sequences, random).forEach((sequence, row) => {
        const offset = row * datapoint;
        data.fill(eos, offset, offset + datapoint);
        labels.fill(eos, offset, offset + datapoint);
        data.set(sequence.slice(0, width), offset);
        labels.set(sequence.slice(1, width + 1), offset);
      });
      lib.datasetSet(dataset, data, labels);
      lib.resultReset(result);
      await lib.epoch(context, dataset, result, sequences.length);
      finalLoss = lib.resultLoss(result);
      epochsDone = epoch;
      options.onLoss?.({ step: epoch * sequences.length, epoch, loss: finalLoss });
    }
    if (options.signal?.aborted) throw new FineTuneCancelled();
    await lib.save(model, saved);
    if (!existsSync(saved)) throw new Error(`llama.cpp did not write ${saved}`);
    await rewriteStudentGguf(saved, temporary, {
      contextLength: base.contextLength > 0 ? base.contextLength : null,
      chatTemplate: base.chatTemplate,
    });
    await rm(saved, { force: true });
    await rename(temporary, options.outFile);
    return {
      finalLoss,
      epochs: epochsDone,
      trainTokens: epochsDone * sequences.length * width,
      milliseconds: performance.now() - started,
      sizeBytes: (await stat(options.outFile)).size,
    };
  } catch (error) {
    await rm(saved, { force: true });
    await rm(temporary, { force: true });
    throw error;
  } finally {
    if (result) lib.resultFree(result);
    if (dataset) lib.datasetFree(dataset);
    if (context) lib.freeContext(context);
    lib.freeModel(model);
    optimizer.free();
  }
}
