import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fineTune, type FineTunePair, type FineTuneResult } from "../../lib/distill/lm/fine-tune.ts";
import { checkTrainDefaults, loadTrainBinding } from "../../lib/distill/lm/llama-train.ts";
import { lmTrainingText } from "../../lib/distill/lm/prompt-format.ts";
import { readGgufInfo } from "../../lib/local-models/gguf-info.ts";
import { writeRandomModel } from "../../lib/local-models/random-model.ts";
import { startModelServer, type ModelServer } from "../../lib/local-models/server.ts";
import { quantizeGguf } from "../../lib/quantize/llama-quantize.ts";
import { testLlama } from "../support/local-models.ts";

// The LM student: full fine-tuning of a small seeded random llama model (≈60k parameters, F32) with llama.cpp's own
// training functions on 20 fixed input → output pairs, then the saved GGUF served by the model server.
//
// What the memorization check shows: the training loop really trains (the loss falls epoch by epoch), the file
// llama.cpp saves is a GGUF node-llama-cpp loads, it keeps its base's context length and chat template, and the
// tokens trained on are the ones the model server builds for the request, so greedy outputs over HTTP are exactly
// the 20 trained answers. The pairs are easy on purpose: each input ends in its own key token ("Pick a" … "Pick t")
// and the four answers share no letter with each other or the prompt. Measured here: answers that need the key from
// a few tokens back ("Colour of a=" → red) took far more epochs than this test may spend; the trainer learns what the
// next token is given the last one quickly and longer contexts slowly. What it does not show: that a student
// generalizes to inputs it has not seen, or learns anything beyond short templated answers — from a tiny random base
// it cannot; it is a check of the pipeline, not of quality.

process.env.DATABASE_URL = inject("databaseUrl");
const dir = await mkdtemp(path.join(os.tmpdir(), "assay-distill-lm-"));
const baseFile = path.join(dir, "lm-base.gguf");
const studentFile = path.join(dir, "lm-student.gguf");
const llama = await testLlama();

const KEYS = "abcdefghijklmnopqrst";
// Answers spelled with letters that occur nowhere else in the training text, each key a token of its own ("▁a" …).
const ANSWERS = ["dog", "emu", "bat", "fly"];
const PAIRS: FineTunePair[] = [...KEYS].map((key, index) => ({
  input: lmTrainingText([{ role: "user", content: `Pick ${key}` }]),
  output: ANSWERS[index % ANSWERS.length]!,
}));

let result: FineTuneResult;
const losses: { epoch: number; loss: number }[] = [];
let server: ModelServer;

beforeAll(async () => {
  await writeRandomModel(baseFile, {
    seed: 12,
    name: "lm-base",
    vocabSize: 400,
    embeddingLength: 64,
    blockCount: 1,
    feedForwardLength: 128,
    contextLength: 256,
  });
  result = await fineTune({
    baseFile,
    pairs: PAIRS,
    outFile: studentFile,
    epochs: 100,
    learningRate: 5e-4,
    threads: 1,
    seed: 3,
    onLoss: (point) => losses.push(point),
  });
  server = await startModelServer({ modelsDir: dir, port: 0, llama, contextSize: 256 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("LM student: fine-tuning with llama.cpp's training functions", () => {
  it("binds to a library whose defaults are the ones the binding was written for, and refuses others", () => {
    const binding = loadTrainBinding();
    const model = binding.modelDefaults();
    const context = binding.contextDefaults();
    expect(model.load_mode).toBe(-1);
    expect(context.n_ctx).toBe(512);
    expect(() => checkTrainDefaults({ ...model, load_mode: 1 }, context)).toThrow(/load_mode: expected -1, got 1/);
    expect(() => checkTrainDefaults(model, { ...context, n_ubatch: 256 })).toThrow(/n_ubatch: expected 512, got 256/);
  });

  it("reports the loss after every epoch and the loss falls", () => {
    expect(losses.map((point) => point.epoch)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(result.epochs).toBe(100);
    expect(result.finalLoss).toBe(losses.at(-1)!.loss);
    // from about ln(400) ≈ 6 for a random model to under a tenth of the first epoch's
    expect(losses[0]!.loss).toBeGreaterThan(2);
    expect(result.finalLoss).toBeLessThan(losses[0]!.loss / 10);
    expect(result.trainTokens).toBeGreaterThan(100 * 20 * 8);
  });

  it("saves a GGUF that keeps its base's context length and chat template, with no temporary file left", async () => {
    const base = await readGgufInfo(baseFile);
    const student = await readGgufInfo(studentFile);
    expect(student.quantization).toBe("F32");
    expect(student.contextLength).toBe(256);
    expect(student.chatTemplate).toBe(base.chatTemplate);
    expect(student.parameterCount).toBe(base.parameterCount);
    expect(result.sizeBytes).toBe(student.sizeBytes);
    expect((await readdir(dir)).sort()).toEqual(["lm-base.gguf", "lm-student.gguf"]);
    const model = await llama.loadModel({ modelPath: studentFile });
    expect(model.trainContextSize).toBe(256);
    await model.dispose();
  });

  it("answers each of the 20 trained inputs with its trained output, greedily, through the model server", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`.replace(/\/v1\/v1$/, "/v1"), apiKey: "none", maxRetries: 0 });
    const answers: string[] = [];
    for (const key of KEYS) {
      const completion = await client.chat.completions.create({
        model: "lm-student",
        messages: [{ role: "user", content: `Pick ${key}` }],
        temperature: 0,
        max_tokens: 8,
      });
      answers.push(completion.choices[0]!.message.content ?? "");
      expect(completion.choices[0]!.finish_reason).toBe("stop");
    }
    expect(answers).toEqual(PAIRS.map((pair) => pair.output));
    // the base, untrained, does not give those answers
    const base = await client.chat.completions.create({
      model: "lm-base",
      messages: [{ role: "user", content: PAIRS[0]!.input }],
      temperature: 0,
      max_tokens: 8,
    });
    expect(base.choices[0]!.message.content).not.toBe(PAIRS[0]!.output);
  });
});

describe("LM student: bad input is refused before anything is written", () => {
  const run = (overrides: Partial<Parameters<typeof fineTune>[0]>) =>
    fineTune({ baseFile, pairs: PAIRS.slice(0, 2), outFile: path.join(dir, "bad.gguf"), epochs: 1, learningRate: 1e-3, ...overrides });

  it("a file that is not GGUF", async () => {
    const text = path.join(dir, "not-a-model.gguf");
    await writeFile(text, "hello, not a model\n");
    await expect(run({ baseFile: text })).rejects.toThrow(/not-a-model.gguf is not a GGUF file/);
    expect(existsSync(path.join(dir, "bad.gguf"))).toBe(false);
    await rm(text);
  });

  it("a base that is not F32", async () => {
    const quantized = path.join(dir, "base-q8.gguf");
    await quantizeGguf({ input: baseFile, output: quantized, type: "Q8_0" });
    await expect(run({ baseFile: quantized })).rejects.toThrow(/base-q8.gguf is Q8_0: llama.cpp's training needs F32 weights/);
    expect(existsSync(path.join(dir, "bad.gguf"))).toBe(false);
    await rm(quantized);
  });

  it("a base larger than the memory budget", async () => {
    process.env.ASSAY_TRAIN_MAX_BYTES = "100000";
    try {
      await expect(run({})).rejects.toThrow(/needs about \d+ bytes to train .*more than the memory budget of 100000 bytes/);
    } finally {
      delete process.env.ASSAY_TRAIN_MAX_BYTES;
    }
    expect(existsSync(path.join(dir, "bad.gguf"))).toBe(false);
  });

  it("no pairs, an empty output, bad epochs, an existing output file", async () => {
    await expect(run({ pairs: [] })).rejects.toThrow(/No training pairs/);
    await expect(run({ pairs: [{ input: "x", output: "" }] })).rejects.toThrow(/pairs\[0\]\.output is empty/);
    await expect(run({ epochs: 0 })).rejects.toThrow(/epochs must be a whole number/);
    await expect(run({ outFile: studentFile })).rejects.toThrow(/lm-student.gguf already exists/);
  });

  it("cancelled: stops after the epoch and writes no file", async () => {
    const controller = new AbortController();
    const epochs: number[] = [];
    await expect(
      run({
        epochs: 5,
        signal: controller.signal,
        onLoss: (point) => {
          epochs.push(point.epoch);
          if (point.epoch === 2) controller.abort();
        },
      }),
    ).rejects.toThrow(/cancelled: no file was written/);
    expect(epochs).toEqual([1, 2]);
    expect((await readdir(dir)).filter((name) => name.startsWith(".") || name === "bad.gguf")).toEqual([]);
  });
});

describe("lmTrainingText", () => {
  it("puts the messages' texts end to end, as the continuation template renders them", () => {
    expect(lmTrainingText([{ role: "system", content: "Be brief. " }, { role: "user", content: [{ type: "text", text: "Hi" }] }])).toBe(
      "Be brief. Hi",
    );
    expect(() => lmTrainingText([{ role: "user", content: "a" }, { role: "assistant", content: "b" }])).toThrow(/messages\[1\] is an assistant turn/);
  });
});
