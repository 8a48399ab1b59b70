import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelServer } from "../../lib/local-models/server.ts";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { testLlama } from "../support/local-models.ts";

// The trade-off's agreement on a chosen suite: the random demo model and its Q8_0 and Q4_0 versions run as the
// variants of one ordinary run on a suite, through the Local models connection and the real model server. The
// figure is checked against the model server asked directly, case by case, through the openai SDK (another path).

process.env.DATABASE_URL = await isolatedDatabase("quant-suite");
process.env.ASSAY_SECRET ??= "test-secret-for-quant-suite-0123456";
const modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-quant-suite-"));
process.env.ASSAY_MODELS_DIR = modelsDir;

const { db } = await import("../../lib/db.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");
const { startModelServer } = await import("../../lib/local-models/server.ts");
const { ensureDemoModels, RANDOM_DEMO_MODEL } = await import("../../lib/local-models/demo-models.ts");
const { quantizeLocalModel } = await import("../../lib/quantize/quantize-model.ts");
const { measureTradeoff, getTradeoff } = await import("../../lib/quantize/tradeoff-service.ts");
const { startSuiteAgreement } = await import("../../lib/quantize/suite-agreement.ts");
const { AppError } = await import("../../lib/errors.ts");

const WORDS = ["latency", "prompt", "model", "student", "teacher", "token", "suite", "cases", "answer", "speed", "weights", "bits"];
let server: ModelServer;
let workspaceId: string;
let worker: InstanceType<typeof RunWorker>;

beforeAll(async () => {
  await ensureDemoModels(modelsDir);
  server = await startModelServer({ modelsDir, port: 0, threads: 1 });
  workspaceId = (await db.workspace.create({ data: { name: "Quant suite", slug: `quant-suite-${process.pid}-${Date.now()}` } })).id;
  await db.connection.create({ data: { workspaceId, name: "Local models", kind: "local", preset: "local", baseUrl: `${server.url}/v1`, concurrency: 4 } });
  worker = new RunWorker({ log: (line) => console.log(`[worker] ${line}`) });
  await worker.start();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await server?.close();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.$disconnect();
  await rm(modelsDir, { recursive: true, force: true });
});

describe("agreement of a quantized family on a suite", () => {
  it("runs the family as one run and reports, per version, the share of cases answered as the original does", async () => {
    const owner = await db.user.create({ data: { id: `u-${Date.now()}`, name: "Owner", email: `quant-suite-${Date.now()}@example.com` } });
    const prompt = await createPrompt(workspaceId, owner.id, { name: "words", version: { messages: [{ role: "user", content: "Tell me about {{ word }}" }], params: { temperature: 0, maxTokens: 6 } } });
    const suite = await db.suite.create({ data: { workspaceId, name: "words", assertions: [{ type: "word-count", min: 1 }] } });
    await db.case.createMany({ data: WORDS.map((word, index) => ({ suiteId: suite.id, position: index, key: word, variables: { word } })) });

    // refused before anything runs: the family must be measured first
    await expect(startSuiteAgreement(workspaceId, owner.id, { name: RANDOM_DEMO_MODEL, versionId: prompt.latest.id, suiteId: suite.id })).rejects.toBeInstanceOf(AppError);
    expect(await db.run.count({ where: { workspaceId } })).toBe(0);

    await quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "Q8_0" });
    await quantizeLocalModel(workspaceId, { source: RANDOM_DEMO_MODEL, type: "Q4_0" });
    await measureTradeoff(workspaceId, RANDOM_DEMO_MODEL, { llama: await testLlama() });
    await expect(startSuiteAgreement(workspaceId, owner.id, { name: RANDOM_DEMO_MODEL, versionId: prompt.latest.id, suiteId: "nope" })).rejects.toMatchObject({ code: "bad_request", details: [{ path: "suiteId", message: "unknown suite" }] });

    const { runId } = await startSuiteAgreement(workspaceId, owner.id, { name: RANDOM_DEMO_MODEL, versionId: prompt.latest.id, suiteId: suite.id });
    expect(await waitForRun(runId)).toMatchObject({ status: "completed", total: 36, done: 36, errors: 0 });
    const view = (await getTradeoff(workspaceId, RANDOM_DEMO_MODEL)).suite!;
    expect(view.models.map((model) => [model.name, model.compared, model.done, model.errors])).toEqual([
      [RANDOM_DEMO_MODEL, 12, 12, 0],
      [`${RANDOM_DEMO_MODEL}-Q8_0`, 12, 12, 0],
      [`${RANDOM_DEMO_MODEL}-Q4_0`, 12, 12, 0],
    ]);
    expect(view.models[0]!.agreement).toBe(1);

    // the oracle: the same calls straight to the model server
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none" });
    const answer = async (model: string, word: string) =>
      (await client.chat.completions.create({ model, messages: [{ role: "user", content: `Tell me about ${word}` }], temperature: 0, max_tokens: 6 })).choices[0]!.message.content;
    for (const model of view.models.slice(1)) {
      let same = 0;
      for (const word of WORDS) {
        const [a, b] = [await answer(model.name, word), await answer(RANDOM_DEMO_MODEL, word)];
        if (a === b) same++;
      }
      expect(model.agreement).toBe(same / WORDS.length);
    }
    expect(view.comparePath).toBe(`/compare?variants=${view.models.map((model) => model.variantId).join(",")}`);
  }, 180_000);
});
