import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fineTune, type FineTunePair } from "../lib/distill/lm/fine-tune.ts";
import { ensureDemoModels, RANDOM_DEMO_MODEL } from "../lib/local-models/demo-models.ts";
import { writeRandomModel } from "../lib/local-models/random-model.ts";

// `npm run bench:lm-train`: training speed of the LM student (llama.cpp's llama_opt_epoch through the koffi binding)
// in trained positions per second, on the project's random 1M model and on the ≈60k-parameter model the test
// uses, with 1 and 2 threads. 20 short pairs, 5 epochs; the first epoch is left out (graph allocation).

const PAIRS: FineTunePair[] = Array.from({ length: 20 }, (_, index) => ({
  input: `Ticket ${index}: the parcel arrived late and`,
  output: [" refund", " apology", " resend", " discount"][index % 4]!,
}));
const EPOCHS = 5;

async function measure(baseFile: string, threads: number, dir: string): Promise<{ tokensPerSecond: number; loss: number }> {
  const outFile = path.join(dir, `out-${threads}-${path.basename(baseFile)}`);
  const times: number[] = [];
  let last = performance.now();
  const result = await fineTune({
    baseFile,
    pairs: PAIRS,
    outFile,
    epochs: EPOCHS,
    learningRate: 5e-4,
    threads,
    onLoss: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  await rm(outFile, { force: true });
  const perEpoch = result.trainTokens / result.epochs;
  const seconds = times.slice(1).reduce((sum, value) => sum + value, 0) / 1000;
  return { tokensPerSecond: (perEpoch * (EPOCHS - 1)) / seconds, loss: result.finalLoss };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "assay-bench-lm-"));
  try {
    await ensureDemoModels(dir);
    const tiny = path.join(dir, "lm-tiny.gguf");
    await writeRandomModel(tiny, { seed: 12, vocabSize: 400, embeddingLength: 64, blockCount: 1, feedForwardLength: 128, contextLength: 256 });
    for (const [label, file] of [
      [`${RANDOM_DEMO_MODEL} (≈1M parameters)`, path.join(dir, `${RANDOM_DEMO_MODEL}.gguf`)],
      ["test model (≈60k parameters)", tiny],
    ] as const) {
      for (const threads of [1, 2]) {
        const { tokensPerSecond, loss } = await measure(file, threads, dir);
        process.stdout.write(`${label}, ${threads} thread${threads > 1 ? "s" : ""}: ${Math.round(tokensPerSecond)} trained tokens/s (loss after ${EPOCHS} epochs ${loss.toFixed(3)})\n`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
