import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelServer } from "../../lib/local-models/server.ts";
import { freePort } from "../support/app-setup.ts";
import { isolatedDatabase } from "../support/isolated-database.ts";

// The demo workspace of a first start: every demo prompt has test inputs, support-triage has a zero-shot and a
// few-shot version, the demo suite has 24 cases, and the demo run of both versions is made of real calls to the
// local model server (its n-gram model), run by an ordinary worker, then compared like any other run.

process.env.DATABASE_URL = await isolatedDatabase("demo-workspace");
process.env.ASSAY_SECRET ??= "test-secret-for-demo-workspace-0123";
const modelPort = await freePort();
// the Local models connection points at ASSAY_MODEL_PORT, where this file's model server listens
process.env.ASSAY_MODEL_PORT = String(modelPort);

const { db } = await import("../../lib/db.ts");
const { seedDemo } = await import("../../lib/workspaces/seed.ts");
const { startDemoRun, findDemoRun, waitForModelServer, DEMO_RUN_NAME } = await import("../../lib/workspaces/demo-run.ts");
const { DEMO_CASES, DEMO_PROMPTS, TRIAGE_CLASSES } = await import("../../lib/workspaces/demo-content.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { listResults } = await import("../../lib/runs/results.ts");
const { getComparison } = await import("../../lib/compare/service.ts");
const { getPrompt, listVersions, getVersion } = await import("../../lib/prompts/service.ts");
const { startHereFor, dismissStartHere } = await import("../../lib/workspaces/start-here.ts");
const { startModelServer } = await import("../../lib/local-models/server.ts");
const { trainClassifierModel, loadSupportCorpus, predictLabel, classifierPromptText } = await import("../../lib/local-models/classifier-model.ts");
const { assembleMessages } = await import("../../lib/prompts/assemble.ts");
const { trainNgramModel, loadCorpus, greedyContinuation } = await import("../../lib/local-models/ngram-model.ts");
const { ensureDemoModels, ensureTriageDemoModel } = await import("../../lib/local-models/demo-models.ts");
const { workspaceOfModelKey } = await import("../../lib/local-models/workspace-key.ts");
const { loadMasterKey } = await import("../../lib/connections/crypto.ts");

let server: ModelServer;
let modelsDir: string;
let worker: InstanceType<typeof RunWorker>;

beforeAll(async () => {
  modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-demo-models-"));
  await ensureDemoModels(modelsDir);
  await ensureTriageDemoModel(modelsDir);
  const masterKey = await loadMasterKey();
  server = await startModelServer({
    modelsDir,
    port: modelPort,
    host: "127.0.0.1",
    threads: 1,
    workspaceOfKey: async (apiKey) => workspaceOfModelKey(apiKey, masterKey),
  });
  worker = new RunWorker({ log: (line) => console.log(`[worker] ${line}`) });
  await worker.start();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await server?.close();
  await db.$disconnect();
  await rm(modelsDir, { recursive: true, force: true });
});

async function demoWorkspaceId(): Promise<string> {
  return (await db.meta.findUniqueOrThrow({ where: { key: "demo-seeded" } })).value;
}

describe("the demo workspace", () => {
  it("seeds once: test inputs on every demo prompt, two versions of support-triage, a 24-case suite", async () => {
    expect(await startDemoRun()).toBeNull(); // nothing seeded yet: nothing to run
    expect(await seedDemo()).toBe(true);
    expect(await seedDemo()).toBe(false);
    const workspaceId = await demoWorkspaceId();
    for (const demo of DEMO_PROMPTS) {
      const prompt = await getPrompt(workspaceId, demo.name);
      expect(prompt.latest.testInputs.length, demo.name).toBeGreaterThanOrEqual(2);
      // every variable the template uses has a value in every test input: Run cannot meet "Missing variable"
      for (const input of prompt.latest.testInputs) {
        const used = [...prompt.latest.messages.map((message) => message.content).join(" ").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!);
        for (const name of used) expect(String(input.variables[name] ?? "").length, `${demo.name} / ${input.name} / ${name}`).toBeGreaterThan(0);
      }
    }
    // the n-gram model's prompts answer something on every test input (it ends an answer after a full stop)
    const ngram = trainNgramModel(await loadCorpus());
    for (const demo of DEMO_PROMPTS.filter((prompt) => prompt.name !== "support-triage")) {
      const latest = (await getPrompt(workspaceId, demo.name)).latest;
      expect(latest.model).toBe("assay-ngram-demo");
      for (const input of latest.testInputs) {
        const text = assembleMessages(latest, input.variables).map((message) => message.content).join("");
        expect(greedyContinuation(ngram, text, 8).text.trim(), `${demo.name} / ${input.name}`).not.toBe("");
      }
    }
    const triage = await getPrompt(workspaceId, "support-triage");
    expect(triage.latest.model).toBe("assay-triage-demo");
    expect((await listVersions(workspaceId, triage.id)).map((version) => version.number)).toEqual([2, 1]);
    const zeroShot = await getVersion(workspaceId, triage.id, 1);
    const fewShot = await getVersion(workspaceId, triage.id, 2);
    expect([zeroShot.examples.length, zeroShot.counterexamples.length]).toEqual([0, 0]);
    expect([fewShot.examples.length, fewShot.counterexamples.length]).toEqual([4, 2]);
    expect(fewShot.testInputs).toEqual(zeroShot.testInputs);

    const suite = await db.suite.findFirstOrThrow({ where: { workspaceId }, include: { cases: { orderBy: { position: "asc" } } } });
    expect(suite.cases).toHaveLength(24);
    expect(suite.assertions).toEqual([expect.objectContaining({ type: "label", classes: TRIAGE_CLASSES })]);
    expect(new Set(suite.cases.map((row) => row.expected))).toEqual(new Set(TRIAGE_CLASSES));
    expect(suite.cases.filter((row) => row.tags.includes("hard"))).toHaveLength(5);
    expect(suite.cases.filter((row) => JSON.stringify(row.assertions).includes("word-count"))).toHaveLength(4);
    expect(suite.cases[0]).toMatchObject({ key: DEMO_CASES[0]!.key, variables: { message: DEMO_CASES[0]!.message }, expected: "billing" });
  });

  it("runs both versions on the suite through the local model server, once, and compares them", async () => {
    await waitForModelServer(`http://127.0.0.1:${modelPort}/v1`, 10_000);
    const started = await startDemoRun();
    expect(started).not.toBeNull();
    expect(await startDemoRun()).toBeNull(); // a second start does not run it again
    const workspaceId = await demoWorkspaceId();
    expect(started!.workspaceId).toBe(workspaceId);
    const progress = await waitForRun(started!.runId);
    expect(progress).toMatchObject({ status: "completed", total: 48, done: 48, errors: 0 });

    const run = await db.run.findUniqueOrThrow({ where: { id: started!.runId }, include: { variants: { orderBy: { position: "asc" } } } });
    expect(run.name).toBe(DEMO_RUN_NAME);
    expect(run.variants.map((variant) => [variant.label, variant.model])).toEqual([
      ["v1 zero-shot", "assay-triage-demo"],
      ["v2 few-shot", "assay-triage-demo"],
    ]);
    const page = await listResults(workspaceId, started!.runId, { limit: 100 });
    expect(page.rows).toHaveLength(24);
    // Real calls: every output is what the classifier's counts say for the prompt as the variant rendered it, one
    // class each, with tokens and latency measured. Zero-shot gets 21 of 24 right; the few-shot version's examples
    // outweigh the message in this bag of words, and it gets 5 (counted by hand from predictLabel).
    const results = await db.result.findMany({ where: { runId: started!.runId }, include: { case: true, variant: true } });
    expect(results).toHaveLength(48);
    const triage = trainClassifierModel(await loadSupportCorpus());
    for (const result of results) {
      const version = await getVersion(workspaceId, (await getPrompt(workspaceId, "support-triage")).id, result.variant.versionId!);
      const messages = assembleMessages(version, result.case.variables as Record<string, string>);
      expect(result.output, `${result.variant.label} ${result.case.key}`).toBe(predictLabel(triage, classifierPromptText(messages)));
    }
    expect(results.every((result) => (result.latencyMs ?? 0) > 0 && result.outputTokens === 1)).toBe(true);
    const right = (label: string) => results.filter((result) => result.variant.label === label && result.output === result.case.expected).length;
    expect([right("v1 zero-shot"), right("v2 few-shot")]).toEqual([21, 5]);
    expect(results.filter((result) => result.variant.label === "v1 zero-shot" && result.pass).length).toBe(21);

    const demo = await findDemoRun(workspaceId);
    expect(demo).toEqual({ runId: started!.runId, variantIds: [run.variants[0]!.id, run.variants[1]!.id] });
    const comparison = await getComparison(workspaceId, { variants: demo!.variantIds });
    expect(comparison.variants.map((variant) => variant.label)).toEqual(["v1 zero-shot", "v2 few-shot"]);
    // zero-shot 21/24 against few-shot 5/24: the comparison sees the drop in pass rate
    expect(comparison.stats.map((stats) => [stats.passRate?.passed, stats.passRate?.graded])).toEqual([[21, 24], [5, 24]]);
  }, 120_000);

  it("Start here links the demo prompt, the demo run, its comparison and the members page, until the member closes it", async () => {
    const workspaceId = await demoWorkspaceId();
    const user = await db.user.create({ data: { id: `owner-${Date.now()}`, name: "Owner", email: `demo-owner-${Date.now()}@example.com` } });
    await db.membership.create({ data: { workspaceId, userId: user.id, role: "owner" } });
    const member = { workspace: { id: workspaceId }, user: { id: user.id } };
    const demo = (await findDemoRun(workspaceId))!;
    const triage = await getPrompt(workspaceId, "support-triage");
    const steps = await startHereFor(member);
    expect(steps?.map((step) => [step.key, step.href])).toEqual([
      ["edit", `/prompts/${triage.id}`],
      ["run", `/runs/${demo.runId}`],
      ["compare", `/compare?run=${demo.runId}&a=${demo.variantIds[0]}&b=${demo.variantIds[1]}`],
      ["share", "/settings/members"],
    ]);
    await dismissStartHere(member);
    expect(await startHereFor(member)).toBeNull();
    await dismissStartHere(member); // closing twice is harmless
    expect(await startHereFor(member)).toBeNull();
  });
});
