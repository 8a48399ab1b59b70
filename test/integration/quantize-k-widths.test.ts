import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoModels, NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL } from "../../lib/local-models/demo-models.ts";
import { readGgufInfo } from "../../lib/local-models/gguf-info.ts";
import { quantizeGguf } from "../../lib/quantize/llama-quantize.ts";

// The demo models' widths are multiples of 256, so llama.cpp's K-quants are real K-quants: after Q4_K_M every
// weight matrix is a K type (Q4_K, or Q6_K/Q5_K where llama.cpp's mix asks for more bits), none fell back to
// Q4_0/Q5_0/Q8_0, and the norms stay F32. (On the former 128-wide random model 31 of 48 tensors fell back.)

const dir = await mkdtemp(path.join(os.tmpdir(), "assay-k-widths-"));

beforeAll(async () => {
  await ensureDemoModels(dir);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("K-quants on the demo models", () => {
  for (const model of [RANDOM_DEMO_MODEL, NGRAM_DEMO_MODEL]) {
    it(`quantizes every weight matrix of ${model} to a K type with Q4_K_M`, async () => {
      const original = await readGgufInfo(path.join(dir, `${model}.gguf`));
      expect(original.embeddingLength! % 256).toBe(0);
      const output = path.join(dir, `${model}-Q4_K_M.gguf`);
      await quantizeGguf({ input: path.join(dir, `${model}.gguf`), output, type: "Q4_K_M" });
      const info = await readGgufInfo(output);
      expect(info.quantization).toBe("Q4_K_M");
      const weights = info.tensors.filter((tensor) => !tensor.name.endsWith("norm.weight"));
      const norms = info.tensors.filter((tensor) => tensor.name.endsWith("norm.weight"));
      expect(weights.length).toBeGreaterThan(0);
      expect(weights.filter((tensor) => !["Q4_K", "Q5_K", "Q6_K"].includes(tensor.type))).toEqual([]);
      expect(weights.filter((tensor) => tensor.type === "Q4_K").length).toBeGreaterThan(weights.length / 2);
      expect(new Set(norms.map((tensor) => tensor.type))).toEqual(new Set(["F32"]));
    });
  }
});
