import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// Example pruning end to end: four examples, of which only two carry the effect (the fake model answers right only
// when both are in the prompt). The pruning removes the other two, one round at a time, as ordinary runs, and stops
// when every further removal hurts; "Create draft" saves the pruned prompt as a new version.

process.env.DATABASE_URL = await isolatedDatabase("prune");
process.env.ASSAY_SECRET ??= "test-secret-for-prune-0123456789ab";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const { prunePrompt } = await import("../../lib/prune/prune.ts");
const { createPrunedVersion } = await import("../../lib/prune/draft.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");

let fake: FakeOpenAI;
let workspaceId: string;
let userId: string;
let connectionId: string;
let suiteId: string;
let emptySuiteId: string;
let versionId: string;
let bareVersionId: string;
let worker: InstanceType<typeof RunWorker>;

const CASES = 20;

function reply(request: { messages: { role: string; content: string }[]; lastUserMessage: string }): string {
  const shown = (text: string) => request.messages.some((message) => message.role === "user" && message.content.includes(text));
  if (!shown("key alpha") || !shown("key gamma")) return "unsure";
  return request.lastUserMessage.includes("great") ? "positive" : "negative";
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ reply, latencyMs: 1 });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Prune", slug: `prune-${stamp}` } })).id;
  userId = (await db.user.create({ data: { id: `prune-${stamp}`, name: "Ada", email: `prune-${stamp}@example.com` } })).id;
  connectionId = (await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", concurrency: 20, models: [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }] })).id;
  suiteId = (await db.suite.create({ data: { workspaceId, name: "Reviews", assertions: [{ type: "equals", value: "{{ expected }}" }] } })).id;
  emptySuiteId = (await db.suite.create({ data: { workspaceId, name: "Empty", assertions: [] } })).id;
  await db.case.createMany({
    data: Array.from({ length: CASES }, (_, index) => ({
      suiteId,
      position: index,
      key: `review-${index}`,
      variables: { text: `${index % 2 === 0 ? "great" : "awful"} product ${index}` },
      expected: index % 2 === 0 ? "positive" : "negative",
    })),
  });
  const prompt = await createPrompt(workspaceId, userId, {
    name: "sentiment",
    version: {
      messages: [{ role: "user", content: "Classify: {{ text }}" }],
      examples: [
        { variables: { text: "key alpha" }, output: "positive" },
        { variables: { text: "filler two" }, output: "positive" },
        { variables: { text: "key gamma" }, output: "negative" },
        { variables: { text: "filler four" }, output: "negative" },
      ],
      params: { temperature: 0, maxTokens: 20 },
    },
  });
  versionId = prompt.latest.id;
  bareVersionId = (await createPrompt(workspaceId, userId, { name: "bare", version: { messages: [{ role: "user", content: "Classify: {{ text }}" }] } })).latest.id;
  worker = new RunWorker({ log: () => {} });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: userId } });
  await fake?.close();
  await db.$disconnect();
});

describe("example pruning", () => {
  it("prunes the two examples that carry no effect, keeps the pass rate, and saves the result as a new version", async () => {
    const report = await prunePrompt(workspaceId, userId, { versionId, suiteId, connectionId, model: "fake-echo" }, { pollMs: 50 });
    // Both fillers leave the pass rate at 100 %; "filler four" is longer, so it saves more tokens and goes first.
    expect(report.removed).toEqual(["example 4", "example 2"]);
    expect(report.keepExamples).toEqual([0, 2]);
    expect(report.keepCounterexamples).toEqual([]);
    expect(report).toMatchObject({ cases: CASES, fullPassRate: 1, prunedPassRate: 1, marginPoints: 2 });
    expect(report.steps.map((step) => step.removed)).toEqual(["example 4", "example 2", null]);
    // round 1: full + 4 removals; round 2: 3; round 3: 2; then full vs pruned — every one an ordinary, completed run
    expect(report.runIds).toHaveLength(4);
    const runs = await db.run.findMany({ where: { id: { in: report.runIds } }, include: { _count: { select: { variants: true } } } });
    expect(runs.map((run) => [run.status, run._count.variants, run.cache]).sort()).toEqual([["completed", 2, false], ["completed", 2, false], ["completed", 3, false], ["completed", 5, false]]);
    const last = report.steps[2]!;
    expect(last.tried.map((tried) => [tried.label, tried.evidence.candidatePassRate, tried.evidence.notWorse])).toEqual([
      ["example 3", 0, false],
      ["example 1", 0, false],
    ]);
    expect(last.tried[0]?.evidence.onlyFull).toBe(CASES);
    // The compare screen gets the full prompt and the smallest set side by side in the last run.
    const full = await db.variant.findUniqueOrThrow({ where: { id: report.fullVariantId } });
    const pruned = await db.variant.findUniqueOrThrow({ where: { id: report.prunedVariantId } });
    expect([full.runId, (full.prompt as { examples: unknown[] }).examples.length]).toEqual([report.runIds[3], 4]);
    expect([pruned.runId, pruned.label, (pruned.prompt as { examples: unknown[] }).examples.length]).toEqual([report.runIds[3], "without example 4, example 2", 2]);
    // The fake counts 4 + ⌈characters / 4⌉ per message: "Classify: filler four" (21) + "negative" (8) = 10 + 6,
    // "Classify: filler two" (20) + "positive" (8) = 9 + 6 — 31 input tokens per call, at $1 per million.
    expect(report.inputTokensSavedPerCall).toBe(31);
    expect(report.costSavedPer1000Calls).toBeCloseTo(0.031, 9);
    expect(report.latencySavedMsPer1000Calls).not.toBeNull();

    const draft = await createPrunedVersion(workspaceId, userId, { versionId, keepExamples: report.keepExamples, keepCounterexamples: report.keepCounterexamples });
    expect(draft.number).toBe(2);
    expect(draft.examples.map((example) => example.variables.text)).toEqual(["key alpha", "key gamma"]);
    expect(draft.commitMessage).toBe("Pruned from v1: 2 examples and 0 counterexamples removed");
    expect(draft.params).toEqual({ temperature: 0, maxTokens: 20 });
  });

  it("refuses bad input naming the field, creating no run and no version", async () => {
    const runsBefore = await db.run.count({ where: { workspaceId } });
    const versionsBefore = await db.promptVersion.count({ where: { prompt: { workspaceId } } });
    const path = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      return (error as InstanceType<typeof AppError>).details[0]?.path;
    };
    expect(await path(prunePrompt(workspaceId, userId, { versionId: bareVersionId, suiteId, connectionId, model: "fake-echo" }))).toBe("versionId");
    expect(await path(prunePrompt(workspaceId, userId, { versionId, suiteId: "no-such-suite", connectionId, model: "fake-echo" }))).toBe("suiteId");
    expect(await path(prunePrompt(workspaceId, userId, { versionId, suiteId: emptySuiteId, connectionId, model: "fake-echo" }))).toBe("suiteId");
    await expect(prunePrompt(workspaceId, userId, { versionId, suiteId, connectionId, model: "fake-echo", marginPoints: -1 })).rejects.toThrow(/marginPoints/);
    await expect(prunePrompt(workspaceId, userId, { versionId: "no-such-version", suiteId, connectionId, model: "fake-echo" })).rejects.toThrow(/version/);
    expect(await path(createPrunedVersion(workspaceId, userId, { versionId, keepExamples: [0, 7], keepCounterexamples: [] }))).toBe("keepExamples");
    await expect(createPrunedVersion(workspaceId, userId, { versionId, keepExamples: [1, 1], keepCounterexamples: [] })).rejects.toThrow(/twice/);
    expect(await db.run.count({ where: { workspaceId } })).toBe(runsBefore);
    expect(await db.promptVersion.count({ where: { prompt: { workspaceId } } })).toBe(versionsBefore);
  });
});
