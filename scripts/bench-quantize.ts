import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama } from "node-llama-cpp";
import { ensureDemoModels, NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL } from "../lib/local-models/demo-models.ts";
import { readGgufInfo } from "../lib/local-models/gguf-info.ts";
import { quantizeGguf, type QuantType } from "../lib/quantize/llama-quantize.ts";
import { tradeoffTable } from "../lib/quantize/tradeoff.ts";
import { tradeoffText } from "../lib/quantize/table-text.ts";

// `npm run bench:quantize`: the project's demo models quantized by llama.cpp's quantizer, each type's size, bits per
// weight, tokens/s (1 thread) and next-token quality against F32 over the held-out text, with the targets.

const TYPES: QuantType[] = ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0"];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "assay-bench-quantize-"));
  try {
    await ensureDemoModels(dir);
    const llama = await getLlama({ build: "never", gpu: false });
    for (const model of [RANDOM_DEMO_MODEL, NGRAM_DEMO_MODEL]) {
      const original = path.join(dir, `${model}.gguf`);
      const variants = [];
      for (const type of TYPES) {
        const output = path.join(dir, `${model}-${type}.gguf`);
        const result = await quantizeGguf({ input: original, output, type });
        // K-quants need rows that are multiples of 256: count the weight matrices that fell back to another type.
        const weights = (await readGgufInfo(output)).tensors.filter((tensor) => !tensor.name.endsWith("norm.weight"));
        const fallbacks = type.includes("_K") ? weights.filter((tensor) => !tensor.type.endsWith("_K")).length : 0;
        process.stdout.write(
          `${model} → ${type}: ${Math.round(result.milliseconds)} ms` +
            (type.includes("_K") ? `; ${fallbacks} of ${weights.length} weight matrices fell back to a non-K type (target 0)` : "") +
            "\n",
        );
        variants.push({ label: type, path: output });
      }
      const rows = await tradeoffTable({ llama, original: { label: "F32", path: original }, variants, threads: 1 });
      process.stdout.write(`\n${model} (held-out text: ${rows[0]!.positions} positions, 1 thread)\n${tradeoffText(rows)}`);
      const f32 = rows[0]!;
      const q8 = rows.find((row) => row.label === "Q8_0")!;
      const q4 = rows.find((row) => row.label === "Q4_0")!;
      process.stdout.write(
        `Q8_0 size: ${(100 * q8.sizeBytes / f32.sizeBytes).toFixed(1)} % of F32 (target 27–30 %); ` +
          `Q8_0 top-1: ${(100 * q8.top1Agreement).toFixed(1)} % (target ≥ 98 %); Q4_0 top-1: ${(100 * q4.top1Agreement).toFixed(1)} % (target < Q8_0)\n\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
