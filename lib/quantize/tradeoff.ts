import { stat } from "node:fs/promises";
import type { Llama, LlamaModel, Token } from "node-llama-cpp";
import { readGgufInfo } from "../local-models/gguf-info.ts";

// The trade-off of a quantized model against its original: size, bits per weight, prompt-processing and generation
// tokens/s with the same threads, and next-token quality over a held-out text (top-1 agreement, mean KL divergence
// KL(original ‖ quantized) of the full next-token distributions, from the raw logits).

/** Held-out text: not in the n-gram model's corpus. */
export const HELD_OUT_TEXT =
  "A quantized model keeps fewer bits for every weight, so the file is smaller and each token needs less memory " +
  "traffic; the question is how much of the original distribution survives. We compare the next token the two " +
  "models would choose at every position of this paragraph, and how far apart their probabilities are.";

export interface ModelFigures {
  path: string;
  sizeBytes: number;
  bitsPerWeight: number;
  promptTokensPerSecond: number;
  generationTokensPerSecond: number;
}

export interface TradeoffRow extends ModelFigures {
  label: string;
  /** Share of positions where both models' most likely next token is the same (1 for the original). */
  top1Agreement: number;
  /** Mean KL(original ‖ this) in nats per position (0 for the original). */
  klDivergence: number;
  positions: number;
}

interface Distributions {
  tokens: Token[];
  /** Per position: log-probabilities over the vocabulary (index = token id). */
  logProbabilities: Float64Array[];
  top1: number[];
  promptTokensPerSecond: number;
}

async function evaluateText(model: LlamaModel, text: string, threads: number): Promise<Distributions> {
  const tokens = model.tokenize(text);
  if (tokens.length < 2) throw new Error("held-out text must have at least 2 tokens");
  const context = await model.createContext({ contextSize: Math.max(256, tokens.length + 64), threads, batchSize: 512 });
  try {
    const sequence = context.getSequence();
    const started = performance.now();
    const results = await sequence.controlledEvaluate(
      tokens.map((token) => [token, { generateNext: { logits: true } }] as [Token, { generateNext: { logits: true } }]),
    );
    const seconds = (performance.now() - started) / 1000;
    const logProbabilities: Float64Array[] = [];
    const top1: number[] = [];
    for (const result of results.slice(0, -1)) {
      const logits = result?.next.logits;
      if (!logits) throw new Error("llama.cpp returned no logits for a position");
      let max = -Infinity;
      let best = -1;
      let size = 0;
      for (const [token, logit] of logits) {
        if (logit > max) {
          max = logit;
          best = token;
        }
        if (token + 1 > size) size = token + 1;
      }
      const row = new Float64Array(size).fill(-Infinity);
      let total = 0;
      for (const [, logit] of logits) total += Math.exp(logit - max);
      const logTotal = Math.log(total) + max;
      for (const [token, logit] of logits) row[token] = logit - logTotal;
      logProbabilities.push(row);
      top1.push(best);
    }
    return { tokens, logProbabilities, top1, promptTokensPerSecond: tokens.length / seconds };
  } finally {
    await context.dispose();
  }
}

async function generationSpeed(model: LlamaModel, threads: number, count: number): Promise<number> {
  const context = await model.createContext({ contextSize: 256, threads });
  try {
    const sequence = context.getSequence();
    const prompt = model.tokenize("The");
    let produced = 0;
    const started = performance.now();
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
      void token;
      produced++;
      if (produced >= count) break;
    }
    return produced / ((performance.now() - started) / 1000);
  } finally {
    await context.dispose();
  }
}

export interface TradeoffOptions {
  llama: Llama;
  original: { label: string; path: string };
  variants: Array<{ label: string; path: string }>;
  threads?: number;
  text?: string;
  generateTokens?: number;
}

export async function tradeoffTable(options: TradeoffOptions): Promise<TradeoffRow[]> {
  const threads = options.threads ?? 1;
  const text = options.text ?? HELD_OUT_TEXT;
  const rows: TradeoffRow[] = [];
  let reference: Distributions | undefined;
  // Warm-up (not timed): the first evaluation in a process pays one-off set-up costs, which would make the original,
  // measured first, look slower than its quantized versions.
  {
    const model = await options.llama.loadModel({ modelPath: options.original.path, gpuLayers: 0 });
    try {
      await evaluateText(model, text.slice(0, 200), threads);
    } finally {
      await model.dispose();
    }
  }
  for (const entry of [options.original, ...options.variants]) {
    const model = await options.llama.loadModel({ modelPath: entry.path, gpuLayers: 0 });
    try {
      const distributions = await evaluateText(model, text, threads);
      const generationTokensPerSecond = await generationSpeed(model, threads, options.generateTokens ?? 32);
      const sizeBytes = (await stat(entry.path)).size;
      const parameters = (await readGgufInfo(entry.path)).parameterCount;
      reference ??= distributions;
      let agree = 0;
      let kl = 0;
      const positions = reference.top1.length;
      if (distributions.top1.length !== positions) throw new Error(`${entry.label} tokenizes the held-out text differently`);
      for (let i = 0; i < positions; i++) {
        if (reference.top1[i] === distributions.top1[i]) agree++;
        const p = reference.logProbabilities[i]!;
        const q = distributions.logProbabilities[i]!;
        let sum = 0;
        for (let token = 0; token < p.length; token++) {
          const logP = p[token]!;
          if (logP === -Infinity) continue;
          sum += Math.exp(logP) * (logP - (q[token] ?? -Infinity));
        }
        kl += sum;
      }
      rows.push({
        label: entry.label,
        path: entry.path,
        sizeBytes,
        bitsPerWeight: (sizeBytes * 8) / parameters,
        promptTokensPerSecond: distributions.promptTokensPerSecond,
        generationTokensPerSecond,
        top1Agreement: agree / positions,
        klDivergence: kl / positions,
        positions,
      });
    } finally {
      await model.dispose();
    }
  }
  return rows;
}
