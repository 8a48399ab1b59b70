import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureDemoModels, RANDOM_DEMO_MODEL } from "../../lib/local-models/demo-models.ts";
import { testLlama } from "../support/local-models.ts";

// The Models page's trade-off: a family (the random 1M demo model and the <name>-<type> versions the Quantize action
// writes) measured by "Measure trade-off" and stored per workspace; the figures are computed, ordered as the issue
// says (Q8_0 keeps ≥ 98 % of top-1 next tokens, Q4_0 fewer, KL Q8_0 < Q4_0).

process.env.DATABASE_URL = inject("databaseUrl");
const modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-tradeoff-"));
process.env.ASSAY_MODELS_DIR = modelsDir;
// No model server in this test: the page's live figures are absent, which the catalog reports as unreachable.
process.env.ASSAY_MODEL_PORT = "1";
const { db } = await import("../../lib/db.ts");
const { quantizeLocalModel } = await import("../../lib/quantize/quantize-model.ts");
const { listTradeoffs, measureTradeoff } = await import("../../lib/quantize/tradeoff-service.ts");

const llama = await testLlama();
let workspaceId: string;

beforeAll(async () => {
  await ensureDemoModels(modelsDir);
  workspaceId = (await db.workspace.create({ data: { name: "Trade-off", slug: `tradeoff-${randomUUID().slice(0, 8)}` } })).id;
}, 60_000);

afterAll(async () => {
  if (workspaceId) await db.workspace.deleteMany({ where: { id: workspaceId } });
  await rm(modelsDir, { recursive: true, force: true });
});

describe("the trade-off of a quantized model family", () => {
  it("refuses a model with no quantized versions and an unknown model, storing nothing", async () => {
    await expect(measureTradeoff(workspaceId, RANDOM_DEMO_MODEL, { llama })).rejects.toMatchObject({
      code: "bad_request",
      message: `"${RANDOM_DEMO_MODEL}" has no quantized versions yet: quantize it first (they are named ${RANDOM_DEMO_MODEL}-<type>)`,
    });
    await expect(measureTradeoff(workspaceId, "no-such-model", { llama })).rejects.toMatchObject({ message: 'No local model named "no-such-model"' });
    expect(await listTradeoffs(workspaceId)).toEqual([]);
  });

  it("measures the original, Q8_0 and Q4_0 and stores the table, Q8_0 closer to the original than Q4_0", async () => {
    await quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "Q8_0" });
    await quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "Q4_0" });
    const view = await measureTradeoff(workspaceId, RANDOM_DEMO_MODEL, { llama });
    expect(view.rows.map((row) => [row.name, row.label])).toEqual([
      [RANDOM_DEMO_MODEL, "F32"],
      [`${RANDOM_DEMO_MODEL}-Q8_0`, "Q8_0"],
      [`${RANDOM_DEMO_MODEL}-Q4_0`, "Q4_0"],
    ]);
    const [f32, q8, q4] = view.rows as [typeof view.rows[0], typeof view.rows[0], typeof view.rows[0]];
    expect(f32.top1Agreement).toBe(1);
    expect(f32.klDivergence).toBe(0);
    expect(q8.top1Agreement).toBeGreaterThanOrEqual(0.98);
    expect(q4.top1Agreement).toBeLessThan(q8.top1Agreement);
    expect(q8.klDivergence).toBeGreaterThan(0);
    expect(q4.klDivergence).toBeGreaterThan(q8.klDivergence);
    // 3,685,376 bytes F32 → 990,240 Q8_0 → 565,280 Q4_0 (measured here); top-1 measured 98.3 % (Q8_0), 89.2 % (Q4_0)
    expect(q8.sizeBytes / f32.sizeBytes).toBeGreaterThan(0.265);
    expect(q8.sizeBytes / f32.sizeBytes).toBeLessThan(0.3);
    expect(q4.sizeBytes).toBeLessThan(q8.sizeBytes);
    expect(q4.bitsPerWeight).toBeLessThan(q8.bitsPerWeight);
    for (const row of view.rows) {
      expect(row.promptTokensPerSecond).toBeGreaterThan(0);
      expect(row.generationTokensPerSecond).toBeGreaterThan(0);
      expect(row).not.toHaveProperty("path");
    }
    expect(view.positions).toBeGreaterThan(200);
    expect(view.threads).toBe(1);
    expect(await listTradeoffs(workspaceId)).toEqual([view]);
  }, 60_000);

  it("measuring again replaces the stored table, one per family", async () => {
    await quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "Q4_K_M" });
    const view = await measureTradeoff(workspaceId, RANDOM_DEMO_MODEL, { llama });
    expect(view.rows.map((row) => row.label)).toEqual(["F32", "Q8_0", "Q4_K_M", "Q4_0"]);
    const stored = await listTradeoffs(workspaceId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.rows.map((row) => row.label)).toEqual(["F32", "Q8_0", "Q4_K_M", "Q4_0"]);
  }, 60_000);
});
