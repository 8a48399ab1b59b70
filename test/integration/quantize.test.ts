import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ModelServer } from "../../lib/local-models/server.ts";
import type { TradeoffRow } from "../../lib/quantize/tradeoff.ts";
import { testLlama } from "../support/local-models.ts";

// llama.cpp's own quantizer (through koffi on node-llama-cpp's libllama) on the project's random 1M model: the
// results load and serve, Q8_0 is ≈27 % of the F32 file and agrees with it on the next token, Q4_0 less; bad input
// is refused with nothing written.

process.env.DATABASE_URL = inject("databaseUrl");
const modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-quantize-"));
process.env.ASSAY_MODELS_DIR = modelsDir;
// Imported once the models folder is set: lib/env.ts reads it when first imported.
const { ensureDemoModels, RANDOM_DEMO_MODEL } = await import("../../lib/local-models/demo-models.ts");
const { startModelServer } = await import("../../lib/local-models/server.ts");
const { checkDefaults, quantizeDefaults, quantizeGguf } = await import("../../lib/quantize/llama-quantize.ts");
const { tradeoffTable } = await import("../../lib/quantize/tradeoff.ts");
const { db } = await import("../../lib/db.ts");
const { quantizeLocalModel } = await import("../../lib/quantize/quantize-model.ts");

const llama = await testLlama();
const randomPath = path.join(modelsDir, `${RANDOM_DEMO_MODEL}.gguf`);
let server: ModelServer;
let rows: TradeoffRow[];
let workspaceId: string;

beforeAll(async () => {
  await ensureDemoModels(modelsDir);
  for (const type of ["Q8_0", "Q4_0", "Q4_K_M"] as const) {
    await quantizeGguf({ input: randomPath, output: path.join(modelsDir, `random-${type}.gguf`), type });
  }
  rows = await tradeoffTable({
    llama,
    original: { label: "F32", path: randomPath },
    variants: ["Q8_0", "Q4_0", "Q4_K_M"].map((type) => ({ label: type, path: path.join(modelsDir, `random-${type}.gguf`) })),
  });
  server = await startModelServer({ modelsDir, port: 0, llama, contextSize: 256 });
  workspaceId = (await db.workspace.create({ data: { name: "Quantize", slug: `quantize-${randomUUID().slice(0, 8)}` } })).id;
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (workspaceId) await db.workspace.deleteMany({ where: { id: workspaceId } });
  await rm(modelsDir, { recursive: true, force: true });
});

const row = (label: string) => rows.find((candidate) => candidate.label === label)!;

describe("quantization with llama.cpp's quantizer", () => {
  it("binds to a library whose defaults are the ones the binding was written for, and refuses others", () => {
    const defaults = quantizeDefaults();
    expect(defaults.ftype).toBe(7);
    expect(defaults.output_tensor_type).toBe(43);
    expect(defaults.quantize_output_tensor).toBe(true);
    expect(() => checkDefaults({ ...defaults, ftype: 1 })).toThrow(/defaults differ.*ftype: expected 7, got 1/);
  });

  it("makes Q8_0 about 27 % of the F32 file and Q4_0 smaller still", () => {
    // 3,685,376 bytes F32 → 990,240 bytes Q8_0 (26.9 %) → 565,280 bytes Q4_0 (15.3 %), measured here (256-wide model).
    expect(row("Q8_0").sizeBytes / row("F32").sizeBytes).toBeGreaterThan(0.265);
    expect(row("Q8_0").sizeBytes / row("F32").sizeBytes).toBeLessThan(0.3);
    expect(row("Q4_0").sizeBytes).toBeLessThan(row("Q8_0").sizeBytes);
    expect(row("F32").bitsPerWeight).toBeGreaterThan(32);
    expect(row("Q8_0").bitsPerWeight).toBeGreaterThan(8.5);
    expect(row("Q8_0").bitsPerWeight).toBeLessThan(9);
  });

  it("keeps Q8_0's next token the same as F32's at ≥ 98 % of held-out positions, Q4_0's at fewer", () => {
    expect(row("F32").top1Agreement).toBe(1);
    expect(row("F32").klDivergence).toBe(0);
    expect(row("Q8_0").positions).toBeGreaterThan(200);
    expect(row("Q8_0").top1Agreement).toBeGreaterThanOrEqual(0.98);
    expect(row("Q4_0").top1Agreement).toBeLessThan(row("Q8_0").top1Agreement);
    expect(row("Q4_0").klDivergence).toBeGreaterThan(row("Q8_0").klDivergence);
    for (const entry of rows) {
      expect(entry.promptTokensPerSecond).toBeGreaterThan(0);
      expect(entry.generationTokensPerSecond).toBeGreaterThan(0);
    }
  });

  it("serves Q8_0, Q4_0 and Q4_K_M over the OpenAI API", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`.replace(/\/v1\/v1$/, "/v1"), apiKey: "none", maxRetries: 0 });
    for (const type of ["Q8_0", "Q4_0", "Q4_K_M"]) {
      const completion = await client.completions.create({ model: `random-${type}`, prompt: "hello", temperature: 0, max_tokens: 4 });
      expect(completion.usage?.completion_tokens).toBe(4);
    }
  });

  it("puts a quantized local model into the models folder under <name>-<type>", async () => {
    const result = await quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "q5_k_m" });
    expect(result.name).toBe(`${RANDOM_DEMO_MODEL}-Q5_K_M`);
    expect(result.registered).toBe("folder");
    expect((await readdir(modelsDir)).filter((file) => file.startsWith(`${RANDOM_DEMO_MODEL}-`))).toEqual([`${RANDOM_DEMO_MODEL}-Q5_K_M.gguf`]);
  });

  it("refuses an unknown type, a non-GGUF file and a model over the memory budget, leaving no file", async () => {
    const before = (await readdir(modelsDir)).sort();
    await expect(quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "Q3_Z" })).rejects.toMatchObject({
      message: expect.stringMatching(/Unknown quantization type "Q3_Z"/),
    });
    const notGguf = path.join(os.tmpdir(), `not-a-model-${randomUUID()}.gguf`);
    await writeFile(notGguf, "just text, not a model");
    await expect(quantizeLocalModel(workspaceId, { source: notGguf, type: "Q8_0" })).rejects.toMatchObject({
      message: expect.stringMatching(/is not a GGUF file/),
    });
    await rm(notGguf);
    await expect(quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "Q8_0", memoryBudgetBytes: 1_000_000 })).rejects.toMatchObject({
      message: expect.stringMatching(/more than the memory budget of 1000000 bytes/),
    });
    await expect(quantizeLocalModel(workspaceId, { source: "no-such-model", type: "Q8_0" })).rejects.toMatchObject({
      message: expect.stringMatching(/No local model named "no-such-model"/),
    });
    expect((await readdir(modelsDir)).sort()).toEqual(before);
    expect(await db.localModel.count({ where: { workspaceId } })).toBe(0);
  });
});
